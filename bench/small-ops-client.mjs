// The client side of the small-operations benchmark (bench/small-ops-bench.mjs), run in a
// process of its own so its CPU is never counted as the server's. A minimal FTP client on
// raw sockets: the same client for every server, so only the server differs between rows.
//
//   node small-ops-client.mjs '<json>'   with { port, user, pass, op, sessions, count, file? }
//   op: noop | size (round trips, `count` spread over `sessions` control connections),
//       stor | retr (`count` 4 KiB files one after another, one PASV data connection each,
//       after `warmup` (default 10) unmeasured ones),
//       idle (`sessions` logged-in connections held until stdin closes).
// Prints one JSON line: { ops, seconds, perSecond } (idle: { ready } once all are logged in).
import { connect } from 'node:net';

const ROUND_TRIP_TIMEOUT_MS = 30_000;

/** One control connection with a reply reader (multi-line replies joined). */
function control(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let buffer = '';
    const waiters = [];
    const replies = [];
    let multi;
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (multi !== undefined) {
          if (line.startsWith(`${multi} `)) {
            multi = undefined;
            deliver(line);
          }
          continue;
        }
        if (/^\d{3}-/.test(line)) {
          multi = line.slice(0, 3);
          continue;
        }
        deliver(line);
      }
    });
    const deliver = (line) => {
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else replies.push(line);
    };
    const reply = () => {
      const ready = replies.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error('reply timeout')), ROUND_TRIP_TIMEOUT_MS);
        waiters.push((line) => { clearTimeout(timer); res(line); });
      });
    };
    const send = (line) => { socket.write(`${line}\r\n`); return reply(); };
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, reply, send }));
  });
}

async function login(port, user, pass) {
  const c = await control(port);
  const greeting = await c.reply();
  if (!greeting.startsWith('220')) throw new Error(`greeting: ${greeting}`);
  const u = await c.send(`USER ${user}`);
  if (u.startsWith('331')) {
    const p = await c.send(`PASS ${pass}`);
    if (!p.startsWith('230')) throw new Error(`PASS: ${p}`);
  } else if (!u.startsWith('230')) throw new Error(`USER: ${u}`);
  const t = await c.send('TYPE I');
  if (!t.startsWith('200')) throw new Error(`TYPE: ${t}`);
  return c;
}

function expect(reply, code, what) {
  if (!reply.startsWith(code)) throw new Error(`${what}: ${reply}`);
}

async function pasv(c) {
  const r = await c.send('PASV');
  expect(r, '227', 'PASV');
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(r);
  return Number(m[5]) * 256 + Number(m[6]);
}

function openData(port) {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => resolve(s));
  });
}

async function roundTrips(o, verb) {
  const conns = await Promise.all(Array.from({ length: o.sessions }, () => login(o.port, o.user, o.pass)));
  const per = Math.ceil(o.count / o.sessions);
  const want = verb === 'NOOP' ? '200' : '213';
  const command = verb === 'NOOP' ? 'NOOP' : `SIZE ${o.file}`;
  // Warm-up: a few round trips per session before the clock starts.
  await Promise.all(conns.map(async (c) => { for (let i = 0; i < 5; i++) expect(await c.send(command), want, verb); }));
  const started = process.hrtime.bigint();
  await Promise.all(conns.map(async (c) => { for (let i = 0; i < per; i++) expect(await c.send(command), want, verb); }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const c of conns) c.socket.destroy();
  return { ops: per * o.sessions, seconds };
}

async function transfers(o, verb) {
  const c = await login(o.port, o.user, o.pass);
  const payload = Buffer.alloc(o.fileBytes ?? 4096, 0x61);
  const one = async (i) => {
    const port = await pasv(c);
    const data = await openData(port);
    if (verb === 'STOR') {
      const pre = await c.send(`STOR ${o.dir}/f${i}.bin`);
      if (!pre.startsWith('150') && !pre.startsWith('125')) throw new Error(`STOR: ${pre}`);
      await new Promise((res, rej) => { data.once('error', rej); data.end(payload, res); });
      await new Promise((res) => { if (data.destroyed) res(); else data.once('close', res); data.resume(); });
    } else {
      const pre = await c.send(`RETR ${o.file}`);
      if (!pre.startsWith('150') && !pre.startsWith('125')) throw new Error(`RETR: ${pre}`);
      let got = 0;
      await new Promise((res, rej) => { data.on('data', (b) => { got += b.length; }); data.once('end', res); data.once('error', rej); });
      data.destroy();
      if (got !== payload.length) throw new Error(`RETR got ${got} bytes`);
    }
    expect(await c.reply(), '226', `${verb} end`);
  };
  // Warm-up before the clock starts (every server alike): steady state, not a JIT's first minutes.
  for (let i = 0; i < (o.warmup ?? 10); i++) await one(`w${i}`);
  const started = process.hrtime.bigint();
  for (let i = 0; i < o.count; i++) await one(i);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  c.socket.destroy();
  return { ops: o.count, seconds };
}

async function idle(o) {
  const conns = [];
  // In batches: a burst of 2,000 SYNs at once would measure the accept queue, not memory.
  for (let i = 0; i < o.sessions; i += 50) {
    const n = Math.min(50, o.sessions - i);
    conns.push(...(await Promise.all(Array.from({ length: n }, () => login(o.port, o.user, o.pass)))));
  }
  process.stdout.write(`${JSON.stringify({ ready: conns.length })}\n`);
  await new Promise((res) => { process.stdin.once('end', res); process.stdin.once('close', res); process.stdin.resume(); });
  for (const c of conns) c.socket.destroy();
  return undefined;
}

const o = JSON.parse(process.argv[2]);
const ops = { noop: () => roundTrips(o, 'NOOP'), size: () => roundTrips(o, 'SIZE'), stor: () => transfers(o, 'STOR'), retr: () => transfers(o, 'RETR'), idle: () => idle(o) };
try {
  const r = await ops[o.op]();
  if (r) process.stdout.write(`${JSON.stringify({ ...r, perSecond: r.ops / r.seconds })}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
}
