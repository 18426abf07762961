// Installing a CLI tool from a release URL with @actions/tool-cache: look in the tool cache, else
// download, verify the published SHA-256 *before* anything is cached or executed, unpack if it is an
// archive, and cache it. Generic: kubectl is one caller (see ./kubectl-install.ts), helm or
// crane could be others. Owns no knowledge of any particular tool's URL layout.
import { chmod, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { KxError, errorMessage, pathExists } from '@kaapana-ext/core';
import { parseSha256Text, verifySha256 } from '@kaapana-ext/core/tools';

export interface ToolDownload {
  /** Name in the tool cache, e.g. `kubectl`. */
  name: string;
  /** Explicit version (`1.32.4`); a leading `v` is dropped for the cache. */
  version: string;
  /** URL of the executable, or of the archive holding it. */
  url: string;
  /** Where the expected digest comes from: a published checksum file, or a pinned value. */
  sha256: { url: string } | { value: string };
  /** Architecture key of the cache entry; defaults to `process.arch`. */
  arch?: string;
  /** Set when `url` is an archive; the executable is then `executable` inside it. */
  archive?: 'tar.gz' | 'zip';
  /** File name of the executable in the cache entry (a relative path inside an archive). */
  executable: string;
}

export interface InstalledTool {
  /** Absolute path of the executable. */
  path: string;
  /** Version as cached. */
  version: string;
  /** True when it came from the cache without a download. */
  fromCache: boolean;
  /** Verified digest of the download (absent for cache hits). */
  sha256?: string;
}

export interface InstallOptions {
  /** Root of the tool cache; defaults to RUNNER_TOOL_CACHE, else ~/.cache/kaapana-ext/tool-cache. */
  toolCacheDir?: string;
  /** Scratch directory for downloads; defaults to RUNNER_TEMP, else the OS temp dir. */
  tempDir?: string;
  log?: (line: string) => void;
}

/** Version as the tool cache wants it: `v1.32.4` → `1.32.4`. */
export function cacheVersion(version: string): string {
  return version.trim().replace(/^v/, '');
}

export async function installTool(spec: ToolDownload, opts: InstallOptions = {}): Promise<InstalledTool> {
  const log = opts.log ?? (() => {});
  const version = cacheVersion(spec.version);
  const arch = spec.arch ?? process.arch;
  const what = `${spec.name} ${version}`;
  return withToolCacheEnv(opts, async () => {
    const hit = tc.find(spec.name, version, arch);
    if (hit && (await pathExists(join(hit, spec.executable)))) {
      log(`${what} found in the tool cache: ${hit}`);
      return { path: join(hit, spec.executable), version, fromCache: true };
    }
    log(`downloading ${what} from ${spec.url}`);
    const file = await download(spec.url, what);
    try {
      const expected =
        'value' in spec.sha256 ? spec.sha256.value.trim() : await fetchPublishedDigest(spec.sha256.url, spec.url, what);
      const digest = await verifySha256(file, expected, `${what} (${spec.url})`);
      log(`sha256 ${digest} verified`);
      let dir: string;
      if (spec.archive) {
        const unpacked = spec.archive === 'zip' ? await tc.extractZip(file) : await tc.extractTar(file);
        if (!(await pathExists(join(unpacked, spec.executable)))) {
          throw new KxError(`${spec.url} does not contain ${spec.executable}`);
        }
        await chmod(join(unpacked, spec.executable), 0o755);
        dir = await tc.cacheDir(unpacked, spec.name, version, arch);
        await rm(unpacked, { recursive: true, force: true });
      } else {
        await chmod(file, 0o755);
        dir = await tc.cacheFile(file, spec.executable, spec.name, version, arch);
      }
      log(`${what} cached in ${dir}`);
      return { path: join(dir, spec.executable), version, fromCache: false, sha256: digest };
    } finally {
      await rm(file, { force: true });
    }
  });
}

async function download(url: string, what: string): Promise<string> {
  try {
    return await tc.downloadTool(url);
  } catch (e) {
    const status = e instanceof tc.HTTPError ? ` (HTTP ${e.httpStatusCode ?? '?'})` : '';
    throw new KxError(`could not download ${what} from ${url}${status}: ${errorMessage(e)}`, {}, { cause: e });
  }
}

async function fetchPublishedDigest(sumUrl: string, artefactUrl: string, what: string): Promise<string> {
  const file = await download(sumUrl, `the SHA-256 of ${what}`);
  try {
    const text = await readFile(file, 'utf8');
    return parseSha256Text(text, sumUrl, artefactUrl.split('/').pop());
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * @actions/tool-cache reads RUNNER_TOOL_CACHE and RUNNER_TEMP at each call and insists they are set.
 * Outside a runner (the CLI, tests) they are not: set them for the duration of `fn`, then restore.
 */
async function withToolCacheEnv<T>(opts: InstallOptions, fn: () => Promise<T>): Promise<T> {
  const saved = { cache: process.env['RUNNER_TOOL_CACHE'], temp: process.env['RUNNER_TEMP'] };
  process.env['RUNNER_TOOL_CACHE'] =
    opts.toolCacheDir ?? saved.cache ?? join(homedir(), '.cache', 'kaapana-ext', 'tool-cache');
  process.env['RUNNER_TEMP'] = opts.tempDir ?? saved.temp ?? tmpdir();
  try {
    return await fn();
  } finally {
    restore('RUNNER_TOOL_CACHE', saved.cache);
    restore('RUNNER_TEMP', saved.temp);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
