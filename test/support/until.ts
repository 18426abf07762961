// Polling for the integration tests: waits for a condition of an asynchronous system (the platform
// simulator's copy Jobs, its /extensions cache) with a bound, naming what it waited for on timeout.

/** Calls `fn` every 100 ms until it returns a truthy value; throws `timed out waiting for <what>` after `ms`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
