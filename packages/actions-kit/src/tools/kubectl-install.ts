// Choosing the kubectl binary: the one on PATH, or a requested version installed through the tool
// cache from `<base-url>/v<version>/bin/<os>/<arch>/kubectl` with its published `.sha256` verified
// (the layout of the Kubernetes release bucket, reproducible by any mirror).
import * as io from '@actions/io';
import { KxError } from '@kaapana-ext/core';
import { executableName, goPlatform, type GoPlatform } from '@kaapana-ext/core/tools';
import { installTool, type InstallOptions } from './install-tool.js';

export const DEFAULT_KUBECTL_BASE_URL = 'https://dl.k8s.io/release';

export interface KubectlChoice {
  /** Absolute path of the kubectl to run. */
  path: string;
  /** `path` when taken from PATH, `tool-cache` / `download` when installed. */
  source: 'path' | 'tool-cache' | 'download';
  version?: string;
}

/** `1.32.4` or `v1.32.4`; anything else (ranges, `latest`) is refused: a pinned version is verifiable. */
export function normalizeKubectlVersion(version: string): string {
  const v = version.trim().replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v)) {
    throw new KxError(`kubectl-version must be an exact version like 1.32.4, got "${version}"`);
  }
  return v;
}

export function kubectlDownloadUrl(baseUrl: string, version: string, platform: GoPlatform = goPlatform()): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/v${normalizeKubectlVersion(version)}/bin/${platform.os}/${platform.arch}/${executableName('kubectl', platform.os)}`;
}

export interface ResolveKubectlOptions extends InstallOptions {
  /** Exact version to install; empty or absent → the kubectl on PATH. */
  version?: string;
  baseUrl?: string;
  platform?: GoPlatform;
}

export async function resolveKubectl(opts: ResolveKubectlOptions = {}): Promise<KubectlChoice> {
  const wanted = opts.version?.trim();
  if (!wanted) {
    const path = await io.which('kubectl', false);
    if (!path) {
      throw new KxError('kubectl is not on PATH; set kubectl-version to install one');
    }
    return { path, source: 'path' };
  }
  const version = normalizeKubectlVersion(wanted);
  const platform = opts.platform ?? goPlatform();
  const url = kubectlDownloadUrl(opts.baseUrl ?? DEFAULT_KUBECTL_BASE_URL, version, platform);
  const installed = await installTool(
    {
      name: 'kubectl',
      version,
      url,
      sha256: { url: `${url}.sha256` },
      arch: platform.arch,
      executable: executableName('kubectl', platform.os),
    },
    opts,
  );
  return { path: installed.path, source: installed.fromCache ? 'tool-cache' : 'download', version };
}
