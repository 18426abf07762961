// Random bytes for unique names (temporary files, DICOM UIDs) read from the kernel's /dev/urandom.
// Not node:crypto, for a measured reason: importing it loads ~17 internal modules and its first call
// seeds OpenSSL's generator, together ~20 ms of a ~300 ms cold per-series run (node --cpu-prof);
// crypto is used only where /dev/urandom cannot be read (not Linux/Unix).
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

let urandom: number | undefined;

/** `n` random bytes. */
export function randomBytes(n: number): Buffer {
  const out = Buffer.alloc(n);
  try {
    urandom ??= openSync('/dev/urandom', 'r');
    let got = 0;
    while (got < n) got += readSync(urandom, out, got, n - got, null);
    return out;
  } catch {
    if (urandom !== undefined) closeSync(urandom);
    urandom = undefined;
    const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
    return crypto.randomBytes(n);
  }
}

/** A random (version 4) UUID's 128 bits as a new UID under the 2.25 root (ITU-T X.667), as DICOM allows. */
export function newUuidUid(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString()}`;
}
