import fs from 'node:fs';
import { listInbox, type InboxFile } from '../connectors/inbox.ts';

export interface PendingFile extends InboxFile {
  /** Path, size and modification time: the same file unchanged has the same key. */
  key: string;
}

/**
 * Decides whether an inbox poll should start a run: any file ready in an agency folder that no completed
 * run has seen. With archiving on, loaded files leave the folders, so every file there is new work; with
 * it off they stay, and a file counts as new until a run that saw it has completed.
 */
export class InboxWatch {
  private readonly seen = new Set<string>();

  constructor(private readonly inbox: string) {}

  async pending(): Promise<PendingFile[]> {
    const listing = await listInbox(this.inbox);
    const files: PendingFile[] = [];
    for (const f of listing.files) {
      let mtime = 0;
      try {
        mtime = fs.statSync(f.path).mtimeMs;
      } catch {
        continue; // gone since the listing (another run archived it)
      }
      const key = `${f.path}|${f.byteSize}|${mtime}`;
      if (!this.seen.has(key)) files.push({ ...f, key });
    }
    return files;
  }

  /** After a completed run: these files are done (loaded, recognised as duplicates, or quarantined). */
  remember(files: PendingFile[]): void {
    for (const f of files) this.seen.add(f.key);
  }
}
