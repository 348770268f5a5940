import { describe, expect, it } from 'vitest';
import { copyField, copyTextParser } from '../db/copy-out.ts';

describe('reading COPY text for matching', () => {
  it('reads NULL and backslash escapes', () => {
    expect(copyField('\\N')).toBeNull();
    expect(copyField('')).toBe('');
    expect(copyField('a\\tb\\\\c\\nd')).toBe('a\tb\\c\nd');
    expect(copyField('扬州市')).toBe('扬州市');
  });

  it('splits rows and fields across chunk borders, even inside a character', () => {
    const text = '1\t扬州新源电子有限公司\t\\N\n2\t扬州市恒扬建材有限公司\tt\n3\t\t王\\t伟';
    const bytes = new TextEncoder().encode(text);
    for (const size of [1, 2, 5, 7, bytes.length]) {
      const rows: (string | null)[][] = [];
      const parser = copyTextParser((fields) => rows.push(fields));
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
      parser.end();
      expect(rows).toEqual([
        ['1', '扬州新源电子有限公司', null],
        ['2', '扬州市恒扬建材有限公司', 't'],
        ['3', '', '王\t伟'],
      ]);
    }
  });
});
