#!/usr/bin/env node
// A TCP port on 127.0.0.1 for a local server (emulator, redis-server, serve) started by the scripts
// and the tests, reserved for the process that asked.
//
// "Let the kernel pick port 0, close, start the server on it" loses races when tests run side by
// side: the kernel gives the same ephemeral range (32768-60999 by default) to outgoing
// connections, and two callers can be handed the same number. So the port comes from 24000-32767,
// below that range (the C++ tests use 15000-23999: tests/support/free_port.h), and is claimed
// with a marker file $TMPDIR/active-users-ports/<port> holding the owner's PID, created
// exclusively. A marker whose PID is gone is stale and taken over. A port something listens on is
// skipped.
//
// CLI: free-port.mjs [OWNER_PID]   prints the port; OWNER_PID defaults to the parent (the shell:
//                                  in $(...), pass "$$", which is the calling script's PID).
// Module: freePort(ownerPid = process.pid) -> Promise<number>

import { chmodSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIRST = 24000;
const LAST = 32767;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// Creates the marker for `port`, or returns false when a live process holds it.
function claim(dir, port, owner) {
  const marker = join(dir, String(port));
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(marker, `${owner}\n`, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (e) {
      if (e.code !== 'EEXIST') return false;
    }
    let holder;
    try {
      holder = Number.parseInt(readFileSync(marker, 'utf8'), 10);
    } catch {
      continue;  // removed meanwhile: try to create it again
    }
    if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
    try { unlinkSync(marker); } catch { /* another caller took it over first */ }
  }
  return false;
}

function bindable(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freePort(ownerPid = process.pid) {
  const dir = join(tmpdir(), 'active-users-ports');
  mkdirSync(dir, { recursive: true });
  try { chmodSync(dir, 0o1777); } catch { /* another user's: markers are still readable */ }
  for (let attempt = 0; attempt < 2000; attempt++) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST + 1));
    if (!claim(dir, port, ownerPid)) continue;
    if (await bindable(port)) return port;
    try { unlinkSync(join(dir, String(port))); } catch { /* gone already */ }
  }
  throw new Error(`no free loopback port in ${FIRST}-${LAST}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const owner = Number.parseInt(process.argv[2] ?? String(process.ppid), 10);
  freePort(owner).then((p) => console.log(p), (e) => { console.error(`free-port: ${e.message}`); process.exit(1); });
}
