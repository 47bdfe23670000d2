#!/usr/bin/env node
// Test fixture: records a peer record processor's MultiLangDaemon session in active-users' transcript format
// (docs/transcripts.md), so the daemon tests' checks (tests/daemon/e2e.mjs) read a Node, Python or any other
// processor's session as they read ours. It sits between the daemon and the processor:
//   executableName = node tests/daemon/peers/tap.mjs DIR -- node my_app.js
// Every line the daemon writes is passed to the processor's stdin and recorded as {"t","dir":"in","line"};
// every line the processor writes to stdout goes to the daemon and is recorded as "out"; the processor's stderr
// is its own (inherited). stdin's end is recorded as {"dir":"eof"} and closes the processor's stdin. The tap
// exits with the processor's exit code; SIGTERM/SIGINT are passed on to it.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [dir, sep, cmd, ...args] = process.argv.slice(2);
if (!dir || sep !== '--' || !cmd) {
  process.stderr.write('usage: tap.mjs DIR -- COMMAND [ARG...]\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const file = openSync(join(dir, `transcript-${Date.now()}-${process.pid}.jsonl`), 'a');
const record = (entry) => writeSync(file, `${JSON.stringify({ t: Date.now(), ...entry })}\n`);

const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
child.on('error', (e) => {
  process.stderr.write(`tap: cannot start ${cmd}: ${e.message}\n`);
  process.exit(127);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.stdin.on('error', () => {});  // the processor exited first: its exit ends the tap

createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    record({ dir: 'in', line });
    child.stdin.write(`${line}\n`);
  })
  .on('close', () => {
    record({ dir: 'eof' });
    child.stdin.end();
  });
createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
  record({ dir: 'out', line });
  process.stdout.write(`${line}\n`);
});
// 'close': the processor exited and its stdout is read to the end; exit once ours is flushed.
child.on('close', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
  process.stdout.write('', () => process.exit());
});
