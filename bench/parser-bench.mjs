#!/usr/bin/env node
// Parser throughput on a realistic control-channel mix: commands decoded per second (bytes ->
// ControlDecoder -> parseCommandLine -> lookupCommand) and replies formatted per second, plus
// listing lines. Reads the built module (`npm run build` first; `npm run bench` does it).
// Each measurement repeats fixed batches until a time budget is spent, so it always ends;
// rates are per CPU second of this process (PARSER_BENCH_MS sets the budget, default 600).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { TextEncoder } from 'node:util';

const BUDGET_MS = Number(process.env.PARSER_BENCH_MS ?? 600);
const MSS = 1448;

/** Commands in roughly the proportions of a busy mirror session (curl, lftp, FileZilla). */
const COMMAND_MIX = [
  'USER anonymous',
  'PASS guest@example.com',
  'TYPE I',
  'PWD',
  'CWD /pub/releases/2026',
  'EPSV',
  'MLSD',
  'PASV',
  'LIST -la',
  'SIZE ubuntu-26.04-desktop-amd64.iso',
  'MDTM ubuntu-26.04-desktop-amd64.iso',
  'REST 1048576',
  'RETR ubuntu-26.04-desktop-amd64.iso',
  'EPRT |2|2001:db8::7|50123|',
  'PORT 192,168,1,20,195,80',
  'STOR upload/some file with spaces.tar.gz',
  'RETR /pub/docs/r\u00e9sum\u00e9 \u20ac.pdf',
  'NOOP',
  'FEAT',
  'OPTS UTF8 ON',
  'MFMT 20260102030405 upload/some file with spaces.tar.gz',
  'XSHA256 /pub/releases/2026/SHA256SUMS',
  'QUIT',
];

/**
 * Runs `batch` until the wall-clock budget is spent; returns operations per CPU second of this
 * process. CPU time, not wall time, because benchmarks often share a loaded machine.
 */
function measure(opsPerBatch, batch) {
  batch(); // warm-up, also checks the batch works at all
  let ops = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < BUDGET_MS) {
    batch();
    ops += opsPerBatch;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return (ops / Math.max(cpuMs, 1)) * 1000;
}

function chunks(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export async function run() {
  const parser = await import(new URL('../dist/parser/index.js', import.meta.url).href);
  const { ControlDecoder, parseCommandLine, lookupCommand, formatReply, quotePathname, formatPasvAddress, formatEpsvPort, featureLines } = parser;

  const repeats = 200;
  const text = Array.from({ length: repeats }, () => COMMAND_MIX.join('\r\n') + '\r\n').join('');
  const segments = chunks(new TextEncoder().encode(text), MSS);
  const linesPerBatch = repeats * COMMAND_MIX.length;
  let sink = 0;

  const decode = measure(linesPerBatch, () => {
    const decoder = new ControlDecoder();
    let count = 0;
    for (const segment of segments) {
      for (const item of decoder.push(segment)) {
        if (item.kind !== 'line') throw new Error(`unexpected ${item.code}`);
        const command = parseCommandLine(item.line);
        if (lookupCommand(command.verb) !== undefined) count++;
      }
    }
    if (count !== linesPerBatch) throw new Error(`decoded ${count} of ${linesPerBatch}`);
    sink += count;
  });

  const features = ['Features:', ...featureLines().map((l) => ` ${l}`), 'End'];
  const replyMix = [
    () => formatReply(200, 'Command okay'),
    () => formatReply(150, 'Opening BINARY mode data connection for file.iso (4697620480 bytes)'),
    () => formatReply(226, 'Transfer complete'),
    () => formatReply(227, `Entering Passive Mode (${formatPasvAddress({ host: '10.1.2.3', port: 50123 })})`),
    () => formatReply(229, `Entering Extended Passive Mode ${formatEpsvPort(50123)}`),
    () => formatReply(257, `${quotePathname('/pub/say "hi"')} is the current directory`),
    () => formatReply(213, '20260102030405'),
    () => formatReply(350, 'Restarting at 1048576'),
    () => formatReply(550, 'No such file or directory'),
    () => formatReply(211, features),
  ];
  const replyBatch = 1000;
  const replies = measure(replyBatch, () => {
    for (let i = 0; i < replyBatch; i++) sink += replyMix[i % replyMix.length]().length;
  });

  const now = new Date('2026-06-15T12:00:00Z');
  const entries = Array.from({ length: 1000 }, (_, i) => ({
    name: `file-${i} with space.bin`,
    type: i % 10 === 0 ? 'dir' : 'file',
    size: i * 4096,
    mtime: new Date(now.getTime() - i * 86_400_000),
    mode: 0o644,
    owner: 'ftp',
    group: 'ftp',
    unique: `1:${i}`,
  }));
  const listLines = measure(entries.length, () => {
    for (const entry of entries) sink += parser.formatListLine(entry, now).length;
  });
  const facts = parser.DEFAULT_MLST_FACTS;
  const mlsdLines = measure(entries.length, () => {
    for (const entry of entries) sink += parser.formatMlsxEntry(entry, { facts, perm: 'adfrw' }).length;
  });

  if (sink === 0) throw new Error('nothing measured');
  const results = [
    { name: 'parser: commands decoded (decode + parse + lookup, MSS chunks)', value: Math.round(decode), unit: 'commands/s' },
    { name: 'parser: replies formatted (realistic mix)', value: Math.round(replies), unit: 'replies/s' },
    { name: 'parser: LIST lines formatted', value: Math.round(listLines), unit: 'lines/s' },
    { name: 'parser: MLSD lines formatted', value: Math.round(mlsdLines), unit: 'lines/s' },
  ];
  for (const r of results) console.log(`${r.name.padEnd(66)} ${r.value.toLocaleString('en-US').padStart(14)} ${r.unit}`);
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
