// The full-collection mode's decisions: the default commit message, the edit put back only when the
// image was not built, and the charts a reload must show.
import { describe, expect, it, vi } from 'vitest';
import { KxError } from '@kaapana-ext/core';
import { collectionCommitMessage, expectedCharts, keepEditIfBuilt } from '@kaapana-ext/core/collection';

const entry = { name: 'otsu', version: '0.1.0' };

describe('collectionCommitMessage', () => {
  it('says add or bump, unless a message is given', () => {
    expect(collectionCommitMessage({ action: 'added', entry })).toBe('collection: add otsu 0.1.0');
    expect(collectionCommitMessage({ action: 'updated', entry })).toBe('collection: bump otsu 0.1.0');
    expect(collectionCommitMessage({ action: 'added', entry }, 'mine')).toBe('mine');
  });
});

describe('keepEditIfBuilt', () => {
  it('keeps the edit when the build succeeds', async () => {
    const restore = vi.fn(async () => {});
    await expect(keepEditIfBuilt({ changed: true, restore }, false, async () => 7)).resolves.toBe(7);
    expect(restore).not.toHaveBeenCalled();
  });

  it('puts a written edit back when the build fails, and rethrows', async () => {
    const restore = vi.fn(async () => {});
    const restored = vi.fn();
    const fail = async () => {
      throw new KxError('push refused');
    };
    await expect(keepEditIfBuilt({ changed: true, restore }, false, fail, restored)).rejects.toThrow('push refused');
    expect([restore.mock.calls.length, restored.mock.calls.length]).toEqual([1, 1]);
    // Nothing was written: a dry run or an unchanged list has nothing to put back.
    await expect(keepEditIfBuilt({ changed: true, restore }, true, fail, restored)).rejects.toThrow('push refused');
    await expect(keepEditIfBuilt({ changed: false, restore }, false, fail, restored)).rejects.toThrow('push refused');
    expect([restore.mock.calls.length, restored.mock.calls.length]).toEqual([1, 1]);
  });
});

describe('expectedCharts', () => {
  it('takes the version of the archive carried in the image', () => {
    const image = { charts: [{ name: 'otsu', version: '0.1.1', file: 'x', source: 'archive' as const }] };
    expect(expectedCharts({ entry }, image, '0.6.0')).toEqual(['otsu-0.1.1']);
  });

  it('reads a listed 0.0.0 as the platform version, else the listed version', () => {
    expect(expectedCharts({ entry: { name: 'otsu', version: '0.0.0' } }, undefined, '0.6.0')).toEqual(['otsu-0.6.0']);
    expect(expectedCharts({ entry: { name: 'otsu', version: '0.0.0' } }, undefined, '')).toEqual(['otsu-0.0.0']);
    expect(expectedCharts({ entry }, { charts: [] }, '0.6.0')).toEqual(['otsu-0.1.0']);
  });
});
