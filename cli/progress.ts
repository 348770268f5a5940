import cliProgress from 'cli-progress';

export interface Progress {
  update: (p: { file: string; rows: number }) => void;
  stop: () => void;
}

/** A live line on a terminal (file, rows, rows/s); nothing when output goes to a log, where pino says it per file. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: ' 读取 {file} | {value} 行 | {rate} 行/秒', hideCursor: true, clearOnComplete: true, fps: 5, noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  let file = '';
  let started = 0;
  let active = false;
  return {
    update({ file: f, rows }) {
      if (f !== file) {
        if (active) bar.stop();
        file = f;
        started = performance.now();
        bar.start(Number.MAX_SAFE_INTEGER, 0, { file, rate: 0 });
        active = true;
      }
      const secs = (performance.now() - started) / 1000;
      bar.update(rows, { file, rate: secs > 0 ? Math.round(rows / secs) : 0 });
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
