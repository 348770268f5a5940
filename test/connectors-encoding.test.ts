import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES, detectEncoding } from '../connectors/encoding.ts';

describe('detectEncoding', () => {
  it('recognises a UTF-8 BOM', () => {
    expect(detectEncoding(Buffer.from('\ufeff单位名称', 'utf8'), true)).toBe('utf-8-bom');
  });

  it('takes valid UTF-8 (and plain ASCII) for UTF-8', () => {
    expect(detectEncoding(Buffer.from('单位名称,统一社会信用代码\n', 'utf8'), true)).toBe('utf-8');
    expect(detectEncoding(Buffer.from('a,b\n1,2\n'), true)).toBe('utf-8');
  });

  it('takes anything else for GB18030', () => {
    expect(detectEncoding(iconv.encode('单位名称,统一社会信用代码\n', 'gb18030'), true)).toBe('gb18030');
  });

  it('does not fail UTF-8 on a character cut at the end of the sniffed prefix', () => {
    const text = `${'a'.repeat(SNIFF_BYTES - 1)}单`;
    const prefix = Buffer.from(text, 'utf8').subarray(0, SNIFF_BYTES);
    expect(prefix.length).toBe(SNIFF_BYTES);
    expect(detectEncoding(prefix, false)).toBe('utf-8');
    // The same cut at the real end of a file is invalid UTF-8.
    expect(detectEncoding(prefix, true)).toBe('gb18030');
  });

  it('recognises UTF-16 BOMs (Excel "Unicode text")', () => {
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x55, 0x53]), true)).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0x53, 0x55]), true)).toBe('utf-16be');
  });
});
