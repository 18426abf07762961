// Progress lines for long runs, on stderr (stdout stays free for machine output): a step name and the
// time since the run began. Silent when quiet: then neither the clock nor the stream is touched (the
// first use of the global `performance` loads node's perf_hooks, ~10 internal modules per cold run).
export type Progress = (step: string) => void;

export function makeProgress(quiet: boolean, stream?: NodeJS.WritableStream): Progress {
  if (quiet) return () => undefined;
  const out = stream ?? process.stderr;
  const t0 = performance.now();
  return (step: string) => {
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    out.write(`[kaapana-otsu ${s.padStart(6)} s] ${step}\n`);
  };
}
