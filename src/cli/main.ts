#!/usr/bin/env node
process.stderr.write('ftpgrid: the CLI is not assembled yet\n');
process.exitCode = 1;
