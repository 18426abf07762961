// The retry policy, through its injected sleep (no real waiting): transient failures are retried
// with exponential, jittered, capped delays until the attempts run out; auth and permanent failures
// fail at once; the classifiers read statuses, error codes, causes and CLI text.
import { describe, expect, it } from 'vitest';
import { StatusError, classifyError, classifyMessage, classifyStatus, withRetry } from '@kaapana-ext/core';

function failing(errors: unknown[], value = 'ok'): { op: (attempt: number) => Promise<string>; attempts: number[] } {
  const attempts: number[] = [];
  return {
    attempts,
    op: async (attempt) => {
      attempts.push(attempt);
      const e = errors[attempt - 1];
      if (e !== undefined) throw e;
      return value;
    },
  };
}

describe('withRetry', () => {
  it('retries transient failures; each delay is within [exp/2, exp] of base·2^(n-1), capped by maxDelayMs', async () => {
    const slept: number[] = [];
    const retried: number[] = [];
    const announced: number[] = [];
    const { op, attempts } = failing([
      new StatusError('503', 503),
      new StatusError('502', 502),
      new StatusError('429', 429),
      new StatusError('504', 504),
    ]);
    const out = await withRetry(op, {
      attempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 300,
      sleep: async (ms) => void slept.push(ms),
      onRetry: ({ attempt, delayMs }) => {
        retried.push(attempt);
        announced.push(delayMs);
      },
    });
    expect(out).toBe('ok');
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    expect(retried).toEqual([1, 2, 3, 4]);
    expect(announced).toEqual(slept);
    const caps = [100, 200, 300, 300];
    slept.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(caps[i]! / 2);
      expect(ms).toBeLessThanOrEqual(caps[i]!);
    });
  });
  it('gives up after `attempts` with the last error', async () => {
    const slept: number[] = [];
    const last = new StatusError('still 503', 503);
    const { op, attempts } = failing([new StatusError('503', 503), new StatusError('503', 503), last]);
    await expect(withRetry(op, { attempts: 3, sleep: async (ms) => void slept.push(ms) })).rejects.toBe(last);
    expect(attempts).toEqual([1, 2, 3]);
    expect(slept).toHaveLength(2);
  });
  it('fails at once on auth and permanent errors, never sleeping', async () => {
    for (const e of [
      new StatusError('401', 401),
      new StatusError('403', 403),
      new StatusError('404', 404),
      new Error('manifest unknown'),
    ]) {
      const slept: number[] = [];
      const { op, attempts } = failing([e]);
      await expect(withRetry(op, { sleep: async (ms) => void slept.push(ms) })).rejects.toBe(e);
      expect(attempts).toEqual([1]);
      expect(slept).toEqual([]);
    }
  });
  it("uses the caller's classifier and at least one attempt", async () => {
    const { op, attempts } = failing([new Error('x'), new Error('y')]);
    const slept: number[] = [];
    await expect(
      withRetry(op, { attempts: 2, classify: () => 'transient', sleep: async (ms) => void slept.push(ms) }),
    ).rejects.toThrow('y');
    expect(attempts).toEqual([1, 2]);
    const once = failing([new StatusError('503', 503)]);
    await expect(withRetry(once.op, { attempts: 0, sleep: async () => {} })).rejects.toThrow('503');
    expect(once.attempts).toEqual([1]);
  });
});

describe('classifiers', () => {
  it('statuses, error codes, causes and CLI text', () => {
    expect([401, 403, 408, 429, 500, 503, 404, 400].map(classifyStatus)).toEqual([
      'auth',
      'auth',
      'transient',
      'transient',
      'transient',
      'transient',
      'permanent',
      'permanent',
    ]);
    expect(classifyError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(
      classifyError(new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }) })),
    ).toBe('transient');
    expect(
      classifyError(
        new StatusError('docker push failed', undefined, 'received unexpected HTTP status: 502 Bad Gateway'),
      ),
    ).toBe('transient');
    expect(classifyMessage('unauthorized: authentication required')).toBe('auth');
    expect(classifyMessage('denied: requested access to the resource is denied')).toBe('auth');
    expect(classifyMessage('net/http: TLS handshake timeout')).toBe('transient');
    expect(classifyMessage('manifest unknown')).toBe('permanent');
  });
});
