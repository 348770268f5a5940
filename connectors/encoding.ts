import { open } from 'node:fs/promises';
import type { Transform } from 'node:stream';
import iconv from 'iconv-lite';

export type TextEncodingName = 'utf-8-bom' | 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/** How much of a file is inspected to tell UTF-8 from GB18030. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * The encoding of a CSV file from its first bytes. `complete` says the bytes are the whole file;
 * otherwise a multi-byte character cut at the end of the prefix must not count as invalid UTF-8.
 * Anything that is not valid UTF-8 is taken for GB18030, the superset of GBK/GB2312 that Chinese
 * Windows Excel writes.
 */
export function detectEncoding(prefix: Uint8Array, complete: boolean): TextEncodingName {
  if (prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf) return 'utf-8-bom';
  // Excel's "Unicode text" export; GB18030 decoding would turn it into plausible-looking garbage.
  if (prefix[0] === 0xff && prefix[1] === 0xfe) return 'utf-16le';
  if (prefix[0] === 0xfe && prefix[1] === 0xff) return 'utf-16be';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(prefix, { stream: !complete });
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

/** Reads up to SNIFF_BYTES from the start of a file. */
export async function readPrefix(filePath: string, bytes = SNIFF_BYTES): Promise<{ prefix: Buffer; complete: boolean }> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    let filled = 0;
    while (filled < bytes) {
      const { bytesRead } = await handle.read(buffer, filled, bytes - filled, filled);
      if (bytesRead === 0) return { prefix: buffer.subarray(0, filled), complete: true };
      filled += bytesRead;
    }
    // A file of exactly SNIFF_BYTES is complete too, but treating it as cut only relaxes the check
    // on its last character.
    return { prefix: buffer, complete: false };
  } finally {
    await handle.close();
  }
}

const ICONV_NAMES: Record<TextEncodingName, string> = {
  'utf-8-bom': 'utf-8',
  'utf-8': 'utf-8',
  gb18030: 'gb18030',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

/** A bytes → string Transform; the BOM, if any, is dropped so it cannot stick to the first header. */
export function decoderFor(encoding: TextEncodingName): Transform {
  return iconv.decodeStream(ICONV_NAMES[encoding], { stripBOM: true }) as unknown as Transform;
}
