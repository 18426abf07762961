// The one background thread of the Otsu filter (ITK's filter is multi-threaded; the machines this
// runs on have at least two cores): it faults in the pages of a fresh mask (prefault.ts) and, for
// images in shared memory, takes chunks of the histogram count and of the mask pass (parallel.ts).
// Owns starting the worker (its code: helper-worker.ts; messages: helper-protocol.ts) and the
// calling thread's side of the chunk protocol; knows nothing of ITK's arithmetic.
//
// A worker that is slow to start simply gets no chunks (the caller does them all), so the caller
// never waits on a worker that is not working. Jobs never overlap: the caller returns only when all
// chunks of a job are finished.
//
// The worker module is the compiled helper-worker.js next to this module: in lib/ (tsc) and in the
// container's bundle (container/build-app.mjs emits it beside kaapana-otsu.js). Tests run from src/,
// where vitest's config compiles helper-worker.ts for it (see vitest.config.ts).
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { FINISHED, NEXT, type HelperJob } from './helper-protocol.js';

let worker: Worker | undefined;
let failed = false;

/** The helper thread, started on first use; undefined when it cannot run (then work stays local). */
export function helperThread(): Worker | undefined {
  if (worker || failed) return worker;
  try {
    // Loaded here, not imported: small images never start the thread, and node:worker_threads costs
    // a cold run a dozen internal modules.
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const w = new Worker(new URL('./helper-worker.js', import.meta.url));
    w.unref();
    const drop = (): void => {
      worker = undefined;
      failed = true;
    };
    w.on('error', drop);
    w.on('exit', drop);
    worker = w;
  } catch {
    failed = true;
  }
  return worker;
}

/** Posts `job` to the helper thread; false when there is none (or posting failed). */
export function postToHelper(job: HelperJob): boolean {
  const w = helperThread();
  if (!w) return false;
  try {
    w.postMessage(job);
    return true;
  } catch {
    return false;
  }
}

/** How a chunked job was shared: how many chunks there were and how many the helper did. */
export interface ChunkSplit {
  chunks: number;
  byHelper: number;
}

/**
 * Runs the caller's share of a chunked job: claims chunks until none are left, then waits until the
 * helper has finished the ones it claimed. `range` gets element ranges [start, end).
 */
export function runChunks(
  ctl: Int32Array,
  length: number,
  chunk: number,
  range: (start: number, end: number) => void,
): ChunkSplit {
  const total = Math.ceil(length / chunk);
  let mine = 0;
  for (let c = Atomics.add(ctl, NEXT, 1); c < total; c = Atomics.add(ctl, NEXT, 1)) {
    range(c * chunk, Math.min(length, (c + 1) * chunk));
    Atomics.add(ctl, FINISHED, 1);
    mine++;
  }
  // Every chunk is claimed; the helper finishes its current one (a chunk takes about a millisecond).
  const deadline = Date.now() + 60_000;
  for (let f = Atomics.load(ctl, FINISHED); f < total; f = Atomics.load(ctl, FINISHED)) {
    if (Date.now() > deadline) throw new Error('the Otsu helper thread stopped in the middle of a chunk');
    Atomics.wait(ctl, FINISHED, f, 50);
  }
  return { chunks: total, byHelper: total - mine };
}
