import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../pipelines/ingest/staged-rows.ts';

describe('canonical fields', () => {
  it('gives one text whatever the column order, and follows rows whose columns differ', () => {
    const a = { name: '扬州新源电子有限公司', uscc: '91321000MA1XXXXX1A', address: '邗江区文昌西路1号' };
    const b = { address: '邗江区文昌西路1号', uscc: '91321000MA1XXXXX1A', name: '扬州新源电子有限公司' };
    const c = { name: '扬州新源电子有限公司', phone: '0514-1234567' };
    expect(canonicalJson(a)).toBe('{"address":"邗江区文昌西路1号","name":"扬州新源电子有限公司","uscc":"91321000MA1XXXXX1A"}');
    // Alternating shapes, as rows of two files read in turn: each row is sorted by its own keys.
    for (let i = 0; i < 3; i++) {
      expect(canonicalJson(b)).toBe(canonicalJson(a));
      expect(canonicalJson(c)).toBe('{"name":"扬州新源电子有限公司","phone":"0514-1234567"}');
      expect(canonicalJson({ ...c, name: 'x"\\' })).toBe('{"name":"x\\"\\\\","phone":"0514-1234567"}');
    }
  });
});
