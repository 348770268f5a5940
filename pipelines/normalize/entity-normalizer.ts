/**
 * Normalises employer rows batch by batch, on this thread or in one worker thread. In a worker, the
 * normalising of one batch overlaps the database work of the stage (reading the next batch, writing
 * the last): on PGlite that work runs on this very thread, on PostgreSQL the server has the other core.
 * Both give the same lines (entity.ts is the one implementation; a test compares them).
 */
import { Worker } from 'node:worker_threads';
import { gazetteerOf, normalizeEntityBatch, type DivisionRow, type EntityBatch, type EntityRow } from './entity.ts';
import type { EntityWorkerData, EntityWorkerReply } from './entity-worker.ts';

export interface EntityNormalizer {
  /** The batch's lines; batches are answered in the order they were given. */
  normalize(rows: readonly EntityRow[]): Promise<EntityBatch>;
  close(): Promise<void>;
}

export function inlineNormalizer(divisions: readonly DivisionRow[], snapshotDates: ReadonlyMap<number, string | null>): EntityNormalizer {
  const gazetteer = gazetteerOf(divisions);
  return {
    normalize: async (rows) => normalizeEntityBatch(rows, snapshotDates, gazetteer),
    close: async () => undefined,
  };
}

export function workerNormalizer(divisions: DivisionRow[], snapshotDates: ReadonlyMap<number, string | null>): EntityNormalizer {
  const data: EntityWorkerData = { divisions, snapshotDates: [...snapshotDates] };
  const worker = new Worker(new URL('./entity-worker.js', import.meta.url), { workerData: data });
  const waiting: { resolve: (b: EntityBatch) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (reply: EntityWorkerReply) => {
    const w = waiting.shift();
    if (!w) return;
    if ('error' in reply) w.reject(new Error(`normalising a batch failed in the worker thread: ${reply.error}`));
    else w.resolve(reply);
  });
  worker.on('error', (err) => failAll(new Error(`the normalise worker thread failed: ${err.message}`, { cause: err })));
  worker.on('exit', (code) => failAll(new Error(`the normalise worker thread exited (code ${code}) with batches unanswered`)));
  return {
    normalize(rows) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(rows);
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

