import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { parseString } from 'fast-csv';
import { decoderFor, detectEncoding, readPrefix, type TextEncodingName } from './encoding.ts';
import { FeedUnreadableError } from './errors.ts';

/** One data record: its cells and the exact text it was read from (without the line break). */
export interface CsvRecord {
  row: number;
  rawText: string;
  cells: string[];
}

/** A record whose fields cannot be told apart; `error` is the reason for the operator, in Chinese. */
export interface CsvBrokenRecord {
  row: number;
  rawText: string;
  error: string;
}

/** A record the reader's claim took by its exact text (see CsvReadOptions): not split into fields. */
export interface CsvClaimedRecord {
  row: number;
  rawText: string;
  claimed: unknown;
}

export type CsvItem = CsvRecord | CsvBrokenRecord;

export interface CsvReadOptions {
  /**
   * Consulted for each well-framed record before its fields are split; a value other than undefined
   * takes the record as it is. Read as records are reached, so it may be set after the header is read.
   */
  claim?: ((rawText: string) => unknown) | undefined;
}

/**
 * No real field comes near this; a record that does is an unbalanced quote (or not a CSV at all),
 * and holding it whole would let one stray quote pull the rest of a large file into memory.
 */
export const MAX_RECORD_CHARS = 1 << 20;

const REASON_UNTERMINATED =
  '该记录中以双引号开头的字段直到文件结尾都没有右引号，无法拆分字段；请在源文件中补上右引号，或把字段内的双引号写成两个双引号（""）后重新投递';
const REASON_RUNAWAY_QUOTE = `该记录中以双引号开头的字段在 ${MAX_RECORD_CHARS} 个字符内都没有右引号，判定为引号不成对；这里只记录其第一行，后面的行按新记录继续读取；请在源文件中补上右引号后重新投递`;
const REASON_TOO_LONG = `该记录超过 ${MAX_RECORD_CHARS} 个字符仍未换行，不像是正常的 CSV 记录，已跳过；请确认文件确为逗号分隔的文本后重新投递`;
const REASON_BAD_QUOTE =
  '该记录中某个字段以双引号开头，但右引号后面紧跟了其他字符（例如 "诚信"汽修店），无法拆分字段；字段内的双引号应写成两个双引号（""），整个字段再用双引号括起来，修正后重新投递';
const REASON_UNSPLITTABLE = '该记录无法按 CSV 规则拆分字段；请检查该记录中的双引号和逗号后重新投递';

const CR = 13;
const LF = 10;
const QUOTE = 34;
const COMMA = 44;

// Record-framing states. A quote opens a quoted field only at the start of a field (after
// optional spaces), exactly as fast-csv decides it, so both agree on where records end.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // a quote inside a quoted field: `""` or the closing quote
const AFTER_QUOTED = 4;
const SKIP_LINE = 5; // discarding the rest of an overlong line

// fast-csv skips JavaScript's \s before looking for an opening quote.
const SPACE = /\s/;

interface RawRecord {
  text: string;
  /** Set when framing alone shows the record is broken. */
  problem?: string;
}

/**
 * Cuts decoded text into records without splitting fields: line breaks inside quotes stay in the
 * record, CRLF, LF and lone CR all end one. Keeping the framing here (fast-csv only splits fields)
 * gives each record its exact raw text and lets reading go on after a broken record, which a
 * fast-csv stream cannot do: it stops at the first error and buffers an unclosed quote to EOF.
 */
class RecordSplitter {
  private state = FIELD_START;
  private pending = '';
  private swallowLF = false;
  private atFileStart = true;

  push(chunk: string, out: RawRecord[]): void {
    const n = chunk.length;
    if (n === 0) return;
    let i = 0;
    if (this.atFileStart) {
      this.atFileStart = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.swallowLF) {
      this.swallowLF = false;
      if (chunk.charCodeAt(i) === LF) i++;
    }
    let start = i;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      const state = this.state;
      if (state === QUOTED) {
        if (c === QUOTE) this.state = QUOTE_IN_QUOTED;
        continue;
      }
      if (state === QUOTE_IN_QUOTED) {
        if (c === QUOTE) {
          this.state = QUOTED;
          continue;
        }
        this.state = AFTER_QUOTED;
      }
      if (c === CR || c === LF) {
        if (this.state !== SKIP_LINE) {
          out.push({ text: this.pending + chunk.slice(start, i) });
        }
        this.pending = '';
        this.state = FIELD_START;
        if (c === CR) {
          if (i + 1 < n) {
            if (chunk.charCodeAt(i + 1) === LF) i++;
          } else {
            this.swallowLF = true;
          }
        }
        start = i + 1;
        continue;
      }
      if (this.state === SKIP_LINE) continue;
      if (c === COMMA) {
        this.state = FIELD_START;
      } else if (this.state === FIELD_START) {
        if (c === QUOTE) this.state = QUOTED;
        else if (!SPACE.test(chunk[i]!)) this.state = UNQUOTED;
      }
    }
    if (this.state !== SKIP_LINE) this.pending += chunk.slice(start);
    if (this.pending.length > MAX_RECORD_CHARS) this.overflow(out);
  }

  end(out: RawRecord[]): void {
    if (this.state === QUOTED) {
      out.push({ text: this.pending, problem: REASON_UNTERMINATED });
    } else if (this.state !== SKIP_LINE && this.pending !== '') {
      out.push({ text: this.pending });
    }
    this.pending = '';
    this.state = FIELD_START;
  }

  private overflow(out: RawRecord[]): void {
    const text = this.pending;
    const inQuotes = this.state === QUOTED || this.state === QUOTE_IN_QUOTED;
    this.pending = '';
    const lineEnd = text.search(/[\r\n]/);
    if (inQuotes && lineEnd >= 0) {
      // The quote most likely opened by mistake: report its line and read what follows afresh.
      out.push({ text: text.slice(0, lineEnd), problem: REASON_RUNAWAY_QUOTE });
      this.state = FIELD_START;
      let rest = lineEnd + 1;
      if (text.charCodeAt(lineEnd) === CR) {
        if (rest < text.length) {
          if (text.charCodeAt(rest) === LF) rest++;
        } else {
          this.swallowLF = true;
        }
      }
      this.push(text.slice(rest), out);
    } else {
      out.push({ text: `${text.slice(0, 2000)}…`, problem: REASON_TOO_LONG });
      this.state = SKIP_LINE;
    }
  }
}

function parseWithFastCsv(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false })
      .on('error', reject)
      .on('data', (row: string[]) => rows.push(row))
      .on('end', () => resolve(rows));
  });
}

function reasonFor(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('missing closing')) return REASON_UNTERMINATED;
  if (message.includes('OR new line got')) return REASON_BAD_QUOTE;
  return REASON_UNSPLITTABLE;
}

type Parsed = { cells: string[] } | { error: string } | null;

async function parseOne(text: string): Promise<Parsed> {
  try {
    const rows = await parseWithFastCsv(text);
    if (rows.length === 0) return null;
    if (rows.length === 1) return { cells: rows[0]! };
    return { error: REASON_UNSPLITTABLE };
  } catch (error) {
    return { error: reasonFor(error) };
  }
}

/**
 * The fields of a record without a double quote, as fast-csv gives them: the text between commas,
 * except that a first field of only whitespace comes back empty, because fast-csv skips whitespace
 * at the start of a record looking for an opening quote and then finds the comma.
 */
function splitPlainRecord(text: string): string[] {
  const cells = text.split(',');
  if (cells.length > 1 && cells[0] !== '' && cells[0]!.trim() === '') cells[0] = '';
  return cells;
}

/**
 * Fields of framed records. A record without a double quote has no quoting to resolve: splitPlainRecord
 * gives exactly what fast-csv would, at a fraction of the cost — most rows of a register are like that.
 * The rest go through fast-csv, one pass per batch, record by record only if a batch fails.
 */
async function parseBatch(records: readonly RawRecord[]): Promise<Parsed[]> {
  const results: Parsed[] = records.map((record) => (record.problem ? { error: record.problem } : null));
  const todo: number[] = [];
  records.forEach((record, index) => {
    if (record.problem || record.text.trim() === '') return;
    if (record.text.includes('"')) todo.push(index);
    else results[index] = { cells: splitPlainRecord(record.text) };
  });
  if (todo.length === 0) return results;
  let rows: string[][] | null = null;
  try {
    rows = await parseWithFastCsv(todo.map((index) => records[index]!.text).join('\n'));
  } catch {
    rows = null;
  }
  if (rows && rows.length === todo.length) {
    todo.forEach((index, k) => (results[index] = { cells: rows[k]! }));
  } else {
    for (const index of todo) results[index] = await parseOne(records[index]!.text);
  }
  return results;
}

const BATCH_RECORDS = 500;

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/**
 * Every non-empty record of a decoded CSV text, numbered from 1 (the header is record 1 here).
 * Records that are empty or made only of empty cells are skipped and not numbered.
 */
export function readCsvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvItem>;
export function readCsvRecords(chunks: AsyncIterable<string>, options: CsvReadOptions): AsyncGenerator<CsvItem | CsvClaimedRecord>;
export async function* readCsvRecords(chunks: AsyncIterable<string>, options: CsvReadOptions = {}): AsyncGenerator<CsvItem | CsvClaimedRecord> {
  const splitter = new RecordSplitter();
  let ordinal = 0;
  let framed: RawRecord[] = [];
  async function* drain(): AsyncGenerator<CsvItem | CsvClaimedRecord> {
    let records = framed;
    framed = [];
    // Until the first record (a header) is out, records are read one at a time: whoever reads it may set
    // the claim before the rest of the batch is split into fields.
    while (ordinal === 0 && records.length > 0) yield* emit(records[0]!, (await parseBatch(records.splice(0, 1)))[0]);
    if (records.length === 0) return;
    const claim = options.claim;
    if (claim) {
      // Claimed records skip field splitting. An empty line is never offered: it is not a record at all.
      const claims = records.map((r) => (r.problem || r.text.trim() === '' ? undefined : claim(r.text)));
      const unclaimed = records.filter((_, k) => claims[k] === undefined);
      if (unclaimed.length < records.length) {
        const parsed = await parseBatch(unclaimed);
        let u = 0;
        for (let k = 0; k < records.length; k++) {
          if (claims[k] !== undefined) yield { row: ++ordinal, rawText: records[k]!.text, claimed: claims[k] };
          else yield* emit(records[k]!, parsed[u++]);
        }
        return;
      }
    }
    const parsed = await parseBatch(records);
    for (let k = 0; k < records.length; k++) yield* emit(records[k]!, parsed[k]);
  }
  function* emit(record: RawRecord, result: Parsed | undefined): Generator<CsvItem> {
    if (!result) return;
    if ('error' in result) yield { row: ++ordinal, rawText: record.text, error: result.error };
    else if (!isBlank(result.cells)) yield { row: ++ordinal, rawText: record.text, cells: result.cells };
  }
  for await (const chunk of chunks) {
    splitter.push(chunk, framed);
    if (framed.length >= BATCH_RECORDS) yield* drain();
  }
  splitter.end(framed);
  yield* drain();
}

export interface CsvSheet {
  encoding: TextEncodingName;
  /** Cells of the first non-empty record. */
  header: string[];
  headerRawText: string;
  /** Data records; `row` is the 1-based data-record ordinal (header excluded). Iterate once. */
  records: AsyncIterable<CsvItem | CsvClaimedRecord>;
  /** Releases the file when the records are not read to the end. */
  close(): Promise<void>;
}

/**
 * Opens a CSV/TXT export for streaming: detects the encoding, reads up to the header and leaves
 * the data records to be pulled. Throws FeedUnreadableError when there is no header to read.
 */
export async function openCsv(filePath: string, options: CsvReadOptions = {}): Promise<CsvSheet> {
  const { prefix, complete } = await readPrefix(filePath);
  const encoding = detectEncoding(prefix, complete);
  const text: Readable = pipeline(createReadStream(filePath), decoderFor(encoding), () => {
    // Errors surface through the iteration of `text`, which pipeline destroys with them.
  });
  const iterator = readCsvRecords(text as AsyncIterable<string>, options);
  const close = async () => {
    await iterator.return(undefined);
    text.destroy();
  };
  let first: IteratorResult<CsvItem | CsvClaimedRecord>;
  try {
    first = await iterator.next();
  } catch (error) {
    await close();
    throw error;
  }
  if (first.done) {
    await close();
    throw new FeedUnreadableError('文件中没有任何内容（只有空行），找不到表头；请确认导出是否成功，重新导出后再投递');
  }
  const head = first.value;
  if ('claimed' in head) {
    await close();
    throw new Error('openCsv: options.claim must be set only after the header is read (OpenedFeed.rowsClaiming does so)');
  }
  if ('error' in head) {
    await close();
    throw new FeedUnreadableError(`第一行（表头）无法拆分成列：${head.error}`);
  }
  let started = false;
  const records: AsyncIterable<CsvItem | CsvClaimedRecord> = {
    [Symbol.asyncIterator]() {
      if (started) throw new Error('CSV records can be iterated only once');
      started = true;
      return (async function* () {
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done) return;
            yield { ...next.value, row: next.value.row - 1 };
          }
        } finally {
          await close();
        }
      })();
    },
  };
  return { encoding, header: head.cells, headerRawText: head.rawText, records, close };
}
