/** Peak resident memory over an interval, sampled every `everyMs` (the OS's maxRSS covers the whole process life). */
export function sampleRss(everyMs = 100): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
