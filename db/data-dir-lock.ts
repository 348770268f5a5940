import fs from 'node:fs';
import path from 'node:path';

// PGlite does not lock its data directory: two processes on one directory silently lose writes.
// A pid file makes the second process stop with a message instead.
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string): DataDirLock {
    const file = path.join(dataDir, 'gridlink.pid');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return new DataDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number(fs.readFileSync(file, 'utf8').trim());
        if (holder && holder !== process.pid && isAlive(holder)) {
          throw new Error(
            `The embedded database in ${dataDir} is in use by process ${holder}. ` +
              'Wait for it to finish (or stop it), or point GRIDLINK_DATA at another folder.',
          );
        }
        // A crashed process left its pid file behind; the directory is free.
        fs.rmSync(file, { force: true });
      }
    }
    throw new Error(`Could not lock ${dataDir}: remove ${file} if no gridlink process is running.`);
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
