// install-proof: how install-extension proves what it did, since kube-helm's answers prove nothing
// (0.1.x answers an install before helm ran; `/extensions` is cached up to 30 s). Owns the bounded
// poll (quick first looks, then every pollMs, transient 5xx and network errors tolerated until the
// timeout) and the three waits built on it: a chart listed in `/extensions`, a release `deployed` in
// `/view-chart-status` and installed in `/extensions`, a release gone (404). Not exported from the
// platform index: internal to install-extension.
import { KxError, errorMessage } from '../errors/index.js';
import type { ChartArchive } from './chart-files.js';
import { PlatformError } from './http.js';
import type { InstallExtensionOptions } from './install-extension.js';
import { extensionState, type KubeHelmClient } from './kube-helm.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll<T>(
  o: InstallExtensionOptions,
  what: string,
  check: () => Promise<{ done: boolean; value: T; state: string }>,
): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  // Quick first looks (a small platform answers at once), then every pollMs (default 2 s).
  let delay = 200;
  for (;;) {
    let r: { done: boolean; value: T; state: string } | undefined;
    try {
      r = await check();
    } catch (e) {
      if (e instanceof PlatformError && (e.status === undefined || e.status >= 500)) last = errorMessage(e);
      else throw e;
    }
    if (r?.done) return r.value;
    if (r && r.state !== last) {
      last = r.state;
      o.log(`  ${what}: ${r.state}`);
    }
    if (Date.now() >= deadline)
      throw new KxError(`${what}: not done after ${Math.round(o.timeoutMs / 1000)} s; last seen: ${last || 'nothing'}`);
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 1.5, o.pollMs ?? 2000);
  }
}

export async function waitListed(c: KubeHelmClient, chart: ChartArchive, o: InstallExtensionOptions): Promise<void> {
  await poll(
    o,
    `${chart.name} ${chart.version} in GET /extensions (kube-helm caches the list up to 30 s)`,
    async () => {
      const s = extensionState(await c.extensions(), chart.name, chart.version);
      return { done: s.listed, value: undefined, state: s.listed ? 'listed' : 'not listed yet' };
    },
  );
  o.log(`${chart.name} ${chart.version} is listed in /extensions`);
}

export async function waitInstalled(
  c: KubeHelmClient,
  chart: ChartArchive,
  release: string,
  o: InstallExtensionOptions,
): Promise<string> {
  return await poll(
    o,
    `release ${release} deployed (GET /view-chart-status) and installed (GET /extensions)`,
    async () => {
      const st = await c.chartStatus(release);
      if (st && (st.status === 'failed' || st.status === 'superseded')) {
        throw new KxError(
          `install ${chart.name} ${chart.version}: helm reports release ${release} ${st.status}: ${JSON.stringify(st.raw).slice(0, 500)}`,
        );
      }
      const deployed = st?.status === 'deployed';
      const installed = deployed
        ? extensionState(await c.extensions(), chart.name, chart.version, release).installed
        : false;
      const state = `helm status ${st ? st.status || '(none)' : 'not found'}, /extensions ${installed ? 'installed' : 'not installed yet'}`;
      return { done: deployed && installed, value: st?.status ?? '', state };
    },
  );
}

export async function waitUninstalled(c: KubeHelmClient, release: string, o: InstallExtensionOptions): Promise<void> {
  await poll(o, `release ${release} gone (GET /view-chart-status answers 404)`, async () => {
    const st = await c.chartStatus(release);
    return { done: st === undefined, value: undefined, state: st ? `helm status ${st.status}` : 'gone' };
  });
}
