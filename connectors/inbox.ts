import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AGENCIES, type Agency } from '../schemas/feeds.ts';

/** A file waiting in `inbox/<agency>/`. */
export interface InboxFile {
  agency: Agency;
  path: string;
  fileName: string;
  byteSize: number;
}

export interface InboxListing {
  files: InboxFile[];
  /** Files left for a later run, with why (still being written, temporary names). */
  skipped: { path: string; reason: string }[];
  /** Sub-folders that are not an agency: their files are not loaded, and the user is told. */
  unknownFolders: string[];
}

// Names that editors, browsers and copy tools give files they are still writing.
const TEMPORARY = /(^\.|^~\$|\.(part|tmp|partial|crdownload|swp|filepart)$)/i;
const ARCHIVE_DIR = '_archive';
const QUARANTINE_DIR = '_quarantine';

export async function listInbox(inbox: string, options: { settleMs?: number } = {}): Promise<InboxListing> {
  if (!fs.existsSync(inbox)) {
    throw new Error(`Inbox folder ${inbox} does not exist. Create it with one sub-folder per agency (${AGENCIES.join(', ')}).`);
  }
  const settleMs = options.settleMs ?? 500;
  const listing: InboxListing = { files: [], skipped: [], unknownFolders: [] };
  const recent: InboxFile[] = [];
  for (const entry of fs.readdirSync(inbox, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name === ARCHIVE_DIR || entry.name === QUARANTINE_DIR) continue;
    if (!(AGENCIES as readonly string[]).includes(entry.name)) {
      listing.unknownFolders.push(entry.name);
      continue;
    }
    const agency = entry.name as Agency;
    const dir = path.join(inbox, agency);
    for (const f of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!f.isFile()) continue;
      const full = path.join(dir, f.name);
      if (TEMPORARY.test(f.name)) {
        listing.skipped.push({ path: full, reason: 'temporary file name: still being written' });
        continue;
      }
      const stat = fs.statSync(full);
      const file = { agency, path: full, fileName: f.name, byteSize: stat.size };
      if (Date.now() - stat.mtimeMs < 5_000) recent.push(file);
      else listing.files.push(file);
    }
  }
  // A file modified in the last seconds may still be growing: look again after a pause and take it only if unchanged.
  if (recent.length > 0) {
    const before = recent.map((f) => fs.statSync(f.path));
    await new Promise((r) => setTimeout(r, settleMs));
    recent.forEach((f, i) => {
      const now = fs.statSync(f.path);
      const then = before[i]!;
      if (now.size === then.size && now.mtimeMs === then.mtimeMs) listing.files.push({ ...f, byteSize: now.size });
      else listing.skipped.push({ path: f.path, reason: 'still being written (size changed); taken next run' });
    });
  }
  listing.files.sort((a, b) => a.agency.localeCompare(b.agency) || a.fileName.localeCompare(b.fileName));
  return listing;
}

export async function hashFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Moves a processed file out of the agency folder so the inbox shows only what is still to do. */
export function archiveFile(inbox: string, file: InboxFile, runId: number): string {
  return moveInto(path.join(inbox, ARCHIVE_DIR, file.agency, `run-${runId}`), file.path);
}

/** Moves an unreadable file aside, with a `.reason` file a person can read next to it. */
export function quarantineFile(inbox: string, file: InboxFile, reason: string): string {
  const target = moveInto(path.join(inbox, QUARANTINE_DIR, file.agency), file.path);
  fs.writeFileSync(`${target}.reason`, `${reason}\n`, 'utf8');
  return target;
}

function moveInto(dir: string, source: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.basename(source);
  let target = path.join(dir, base);
  for (let n = 2; fs.existsSync(target); n++) {
    const ext = path.extname(base);
    target = path.join(dir, `${path.basename(base, ext)}.${n}${ext}`);
  }
  fs.renameSync(source, target);
  return target;
}

/** The snapshot date a file name carries (`market-20261127.csv`, `名录-2026-09-30.xlsx`), or null. */
export function snapshotDateFromName(fileName: string): string | null {
  const m = /(20\d{2}|19\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)/.exec(fileName);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return d.toISOString().slice(0, 10) === iso ? iso : null;
}
