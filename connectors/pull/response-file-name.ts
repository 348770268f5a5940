import path from 'node:path';
import iconv from 'iconv-lite';

// Characters no file system or archive tool takes happily in a name.
const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*]/g;
const MAX_NAME_LENGTH = 180;

/**
 * The file name a Content-Disposition header gives (RFC 6266: `filename*=UTF-8''…` first, then
 * `filename="…"`), reduced to a safe base name; null when there is none. Chinese servers often
 * send raw UTF-8 or GBK bytes in `filename=`, which fetch hands over as Latin-1 text: decode them.
 */
export function fileNameFromDisposition(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    const charset = extended[1]!.trim().toLowerCase() || 'utf-8';
    const bytes = percentDecode(extended[2]!.trim().replace(/^"|"$/g, ''));
    const name = iconv.encodingExists(charset) ? iconv.decode(bytes, charset) : bytes.toString('utf8');
    const safe = safeFileName(name);
    if (safe) return safe;
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
  if (!plain) return null;
  const raw = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2]!.trim();
  return safeFileName(decodeLatin1Bytes(raw));
}

/** A name that stays inside the agency's folder: no directories, no control or reserved characters. */
export function safeFileName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? '';
  let safe = base.replace(UNSAFE, '_').trim().replace(/^\.+/, '');
  if (safe.length > MAX_NAME_LENGTH) {
    const ext = path.extname(safe).slice(0, 10);
    safe = safe.slice(0, MAX_NAME_LENGTH - ext.length) + ext;
  }
  return safe === '' ? null : safe;
}

const EXTENSIONS: readonly [RegExp, string][] = [
  [/spreadsheetml/i, '.xlsx'],
  [/text\/plain/i, '.txt'],
];

/** `<agency>-<YYYYMMDD>.<ext>`: the date of the pull in Asia/Shanghai is the snapshot date; CSV unless the type says otherwise. */
export function defaultFileName(agency: string, contentType: string | null, now: Date = new Date()): string {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now).replaceAll('-', '');
  const ext = EXTENSIONS.find(([pattern]) => pattern.test(contentType ?? ''))?.[1] ?? '.csv';
  return `${agency}-${date}${ext}`;
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-f]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeLatin1Bytes(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text) || /[^\u0000-\u00ff]/.test(text)) return text;
  const bytes = Buffer.from(text, 'latin1');
  const utf8 = bytes.toString('utf8');
  if (!utf8.includes('\ufffd')) return utf8;
  return iconv.decode(bytes, 'gb18030');
}
