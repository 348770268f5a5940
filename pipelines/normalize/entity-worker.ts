/**
 * The worker thread of entity-normalizer.ts: builds the gazetteer once from the division rows it is
 * given, then normalises each batch it receives and sends back its COPY lines, in the order received.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { gazetteerOf, normalizeEntityBatch, type DivisionRow, type EntityRow } from './entity.ts';

export interface EntityWorkerData {
  divisions: DivisionRow[];
  snapshotDates: [number, string | null][];
}

export type EntityWorkerReply = { lines: string[]; flagged: number } | { error: string };

const data = workerData as EntityWorkerData;
const gazetteer = gazetteerOf(data.divisions);
const snapshotDates = new Map(data.snapshotDates);

parentPort!.on('message', (rows: EntityRow[]) => {
  let reply: EntityWorkerReply;
  try {
    reply = normalizeEntityBatch(rows, snapshotDates, gazetteer);
  } catch (err) {
    reply = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});
