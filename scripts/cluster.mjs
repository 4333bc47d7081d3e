#!/usr/bin/env node
// `npm run cluster`: will start a local master with two slaves once src/cluster exists.
// Until then it says so plainly instead of failing with a missing-file error.
console.error('ftpgrid: the cluster (master + slaves) is not built yet; `npm start` runs the standalone server.');
process.exit(2);
