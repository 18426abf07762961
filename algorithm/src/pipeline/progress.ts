// Progress lines for long runs, on stderr (stdout stays free for machine output): a step name and the
// time since the run began. Silent when quiet.
export type Progress = (step: string) => void;

export function makeProgress(quiet: boolean, stream: NodeJS.WritableStream = process.stderr): Progress {
  const t0 = performance.now();
  return (step: string) => {
    if (quiet) return;
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    stream.write(`[kaapana-otsu ${s.padStart(6)} s] ${step}\n`);
  };
}
