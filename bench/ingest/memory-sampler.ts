/** What process.memoryUsage() said when resident memory was highest. */
export interface MemoryPeak {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory outside the V8 heap that V8 knows of: PGlite's WebAssembly memory is counted here. */
  external: number;
  arrayBuffers: number;
}

/**
 * Peak resident memory over an interval, sampled every `everyMs` (the OS's maxRSS covers the whole
 * process life), with the breakdown of that sample: rss minus heap and external is code (V8's
 * compiled WebAssembly and JS) and native allocations.
 */
export function sampleRss(everyMs = 100): { stop: () => MemoryPeak } {
  const sample = (): MemoryPeak => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  let peak = sample();
  const timer = setInterval(() => {
    const m = sample();
    if (m.rss > peak.rss) peak = m;
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const m = sample();
      return m.rss > peak.rss ? m : peak;
    },
  };
}
