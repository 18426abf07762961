// SHA-256 of downloaded files and parsing of published checksum files (`<hex>` alone, or
// `<hex>  <file name>` lines as written by sha256sum). Owns nothing about downloading or caching.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { KxError } from '../errors/index.js';

const HEX64 = /^[0-9a-f]{64}$/i;

/** Lower-case hex SHA-256 of a file, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The digest a checksum file publishes for `fileName`. Accepts a bare digest, `sha256sum` output
 * (`<hex>  name` or `<hex> *name`, one line per file) and `SHA256 (name) = <hex>` (BSD style).
 * `source` names the file or URL in the error.
 */
export function parseSha256Text(text: string, source: string, fileName?: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const found: Array<{ hex: string; name?: string }> = [];
  for (const line of lines) {
    const bsd = /^SHA256 \((.+)\) = ([0-9a-f]{64})$/i.exec(line);
    if (bsd) {
      found.push({ hex: bsd[2]!, name: bsd[1]! });
      continue;
    }
    const [first, ...rest] = line.split(/\s+/);
    if (first && HEX64.test(first)) {
      const name = rest.join(' ').replace(/^\*/, '');
      found.push(name ? { hex: first, name } : { hex: first });
    }
  }
  if (found.length === 0) {
    throw new KxError(`no SHA-256 digest found in ${source} (expected 64 hex digits)`, { file: source });
  }
  if (found.length === 1) return found[0]!.hex.toLowerCase();
  const base = fileName?.split('/').pop();
  const match = found.find((f) => f.name !== undefined && (f.name === fileName || f.name.split('/').pop() === base));
  if (!match) {
    throw new KxError(`${source} lists ${found.length} digests but none for "${fileName ?? '?'}"`, { file: source });
  }
  return match.hex.toLowerCase();
}

/** Throws a KxError unless the file's digest equals `expected` (case-insensitive). */
export async function verifySha256(path: string, expected: string, what: string): Promise<string> {
  if (!HEX64.test(expected)) {
    throw new KxError(`expected SHA-256 for ${what} is not 64 hex digits: "${expected}"`);
  }
  const actual = await sha256OfFile(path);
  if (actual !== expected.toLowerCase()) {
    throw new KxError(
      `SHA-256 mismatch for ${what}: published ${expected.toLowerCase()}, downloaded file has ${actual}; refusing to use it`,
    );
  }
  return actual;
}
