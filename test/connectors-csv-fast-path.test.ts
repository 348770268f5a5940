/**
 * Records without a double quote are split by the reader itself, the rest by fast-csv: both must give
 * the same cells as fast-csv alone would, for any text, so the fast path changes speed and nothing else.
 */
import fc from 'fast-check';
import { parseString } from 'fast-csv';
import { describe, expect, it } from 'vitest';
import { readCsvRecords, type CsvItem } from '../connectors/csv-reader.ts';

function fastCsvRows(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false })
      .on('error', reject)
      .on('data', (row: string[]) => rows.push(row))
      .on('end', () => resolve(rows));
  });
}

async function readerRows(text: string, chunk = 7): Promise<CsvItem[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const out: CsvItem[] = [];
  for await (const item of readCsvRecords(chunks())) out.push(item);
  return out;
}

// Cells as agencies write them: Chinese, full-width and ASCII text, spaces, tabs, empty cells; some quoted.
const plainCell = fc.stringMatching(/^[^",\r\n]{0,12}$/);
const anyCell = fc.oneof(
  plainCell,
  plainCell.map((c) => `"${c}"`),
  fc.stringMatching(/^[^"\r\n]{0,8}$/).map((c) => `"${c.replaceAll(',', '，')},${c}"`),
);
const record = fc.array(anyCell, { minLength: 1, maxLength: 9 }).map((cells) => cells.join(','));

describe('CSV records without quotes are split as fast-csv splits them', () => {
  it('gives the cells fast-csv gives, record for record, quoted or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 40 }), async (records, chunk) => {
        const text = records.join('\n');
        const expected = (await fastCsvRows(text)).filter((cells) => !cells.every((c) => c.trim() === ''));
        const got = (await readerRows(text, chunk)).map((item) => ('cells' in item ? item.cells : ['ERROR', item.error]));
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  // Found by the property above: fast-csv empties a first cell of only whitespace, and no other cell.
  it('empties a first cell of only whitespace, as fast-csv does, quoted record or not', async () => {
    const text = ' ,#\n\t\u3000,"引号"\n， ,x\na, ,b\n';
    const got = (await readerRows(text)).map((item) => ('cells' in item ? item.cells : null));
    expect(got).toEqual([
      ['', '#'],
      ['', '引号'],
      ['， ', 'x'],
      ['a', ' ', 'b'],
    ]);
    expect(got).toEqual(await fastCsvRows(text));
  });

  it('keeps empty trailing cells, spaces and tabs exactly as written', async () => {
    const items = await readerRows(' 扬州市 ,\t,,a b,\n江都区,,\n');
    expect(items.map((i) => ('cells' in i ? i.cells : null))).toEqual([
      [' 扬州市 ', '\t', '', 'a b', ''],
      ['江都区', '', ''],
    ]);
  });
});
