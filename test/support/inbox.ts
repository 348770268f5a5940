import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A writable copy of a folder of agency files (the shared samples are read-only). */
export function copyInbox(from: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-inbox-'));
  fs.cpSync(from, dir, { recursive: true });
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    fs.chmodSync(path.join(f.parentPath, f.name), f.isDirectory() ? 0o755 : 0o644);
  }
  // Files are "old" so the inbox does not wait for them to settle.
  const past = new Date(Date.now() - 60_000);
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) if (f.isFile()) fs.utimesSync(path.join(f.parentPath, f.name), past, past);
  return dir;
}

export function tempDir(prefix = 'gl-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
