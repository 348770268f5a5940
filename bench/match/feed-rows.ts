/** Reading and rewriting the demo's CSV registers row by row, for the bench's extra hard cases and changes. */
import fs from 'node:fs';
import { parse } from 'fast-csv';
import iconv from 'iconv-lite';

export interface FeedRows {
  header: string[];
  rows: string[][];
}

export async function readFeedRows(file: string, encoding: string): Promise<FeedRows> {
  const bytes = fs.readFileSync(file);
  const text = encoding === 'gb18030' ? iconv.decode(bytes, 'gb18030') : bytes.toString('utf8').replace(/^\ufeff/, '');
  const all: string[][] = [];
  await new Promise<void>((resolve, reject) =>
    parse({ ignoreEmpty: true })
      .on('data', (r: string[]) => all.push(r))
      .on('end', () => resolve())
      .on('error', reject)
      .end(text),
  );
  const [header, ...rows] = all;
  return { header: header ?? [], rows };
}

export function columnsOf(header: string[]) {
  const first = (re: RegExp) => header.findIndex((h) => re.test(h));
  const all = (re: RegExp) => header.map((h, i) => (re.test(h) ? i : -1)).filter((i) => i >= 0);
  return {
    name: first(/名称/),
    address: first(/地址|住所|经营场所/),
    phone: first(/电话/),
    rep: first(/法定代表人|负责人|经营者/),
    uscc: first(/统一社会信用代码|纳税人识别号/),
    codes: all(/统一社会信用代码|组织机构代码|机构代码|纳税人识别号|注册号/),
    status: first(/状态/),
    established: first(/成立|开业|登记日期/),
    type: first(/类型/),
  };
}

export type Columns = ReturnType<typeof columnsOf>;

/** Rewrites a register in place as UTF-8 (the connectors detect the encoding), keeping row order and so the truth's row numbers. */
export function writeFeedRows(file: string, { header, rows }: FeedRows): void {
  const cell = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  fs.writeFileSync(file, `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`);
  // Old enough that the inbox does not wait for the file to settle.
  const past = new Date(Date.now() - 120_000);
  fs.utimesSync(file, past, past);
}
