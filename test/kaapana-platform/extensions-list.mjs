// kube-helm's GET /extensions, with each generation's caching:
//   0.1.x v0.1.x/.../kube-helm/docker/files/backend/app/utils.py get_extensions_list, helm_search_repo
//         and main.py (RepeatedTimer(5, get_extensions_list)); routes.py returns
//         utils.extensions_list_cached. The timer rebuilds the list every 5 s only when something is
//         pending (helm_install/helm_delete set smth_pending; an installed extension that is not
//         successful keeps it set), the cache is empty, or refresh_delay = 30 s have passed. Item =
//         `helm show chart` fields + versions, version (latest by LooseVersion), experimental,
//         multiinstallable, kind (dag|application), releaseName, helmStatus, kubeStatus, successful,
//         installed.
//   0.6.0 v0.6.0/.../kube-helm/docker/files/backend/app/helm_helper.py get_extensions_list,
//         collect_all_tgz_charts, add_extension_to_dict, add_info_from_deployments: computed on
//         request, but served from the cache while the last build is younger than refresh_delay =
//         30 s (RECENT_UPDATE_CACHE unset). Item = schemas.KaapanaExtension fields.
// Charts are the `*.tgz` directly in the extensions directory (glob, not recursive) whose keywords
// include kaapanaworkflow or kaapanaapplication; archives helm cannot read are skipped.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadArchiveBuffer } from './chart-check.mjs';

/** Python's distutils LooseVersion ordering, enough for chart versions. */
export function compareLoose(a, b) {
  const parts = (v) =>
    String(v)
      .match(/\d+|[a-z]+|\./gi)
      ?.filter((p) => p !== '.')
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p)) ?? [];
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    if (x[i] === y[i]) continue;
    if (typeof x[i] === typeof y[i]) return x[i] < y[i] ? -1 : 1;
    return typeof x[i] === 'number' ? 1 : -1; // py3 would raise; numbers first is what charts need
  }
  return 0;
}

const KEYWORDS = ['kaapanaapplication', 'kaapanaworkflow'];

/** `helm show chart` of every top-level .tgz with a matching keyword: `{ "<name>-<version>": chart }`. */
export async function scanCharts(dir, log) {
  const out = {};
  const names = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.tgz')).sort();
  for (const f of names) {
    try {
      const chart = await loadArchiveBuffer(await readFile(join(dir, f)), join(dir, f));
      const kw = chart.metadata.keywords ?? [];
      if (kw.some((k) => KEYWORDS.includes(k)))
        out[`${chart.metadata.name}-${chart.metadata.version}`] = { ...chart.metadata, values: chart.values };
    } catch (e) {
      log?.(`helm show chart ${join(dir, f)} failed: ${e.message}`);
    }
  }
  return out;
}

function kindOf(keywords) {
  if (keywords.includes('kaapanaworkflow')) return 'dag';
  if (keywords.includes('kaapanaapplication')) return 'application';
  return undefined;
}

/** 0.1.x get_extensions_list body (one rebuild). */
async function build01(platform) {
  const available = await scanCharts(platform.extensionsDir, platform.log);
  const versionsByName = new Map();
  for (const chart of Object.values(available)) {
    if (!versionsByName.has(chart.name)) versionsByName.set(chart.name, []);
    versionsByName.get(chart.name).push(chart.version);
  }
  const list = [];
  let pending = false;
  for (const [name, versions] of versionsByName) {
    versions.sort((a, b) => compareLoose(b, a));
    const { values, ...meta } = available[`${name}-${versions[0]}`];
    void values;
    const ext = { ...meta, versions, version: versions[0] };
    const kw = ext.keywords ?? [];
    ext.experimental = kw.includes('kaapanaexperimental') ? 'yes' : 'no';
    ext.multiinstallable = kw.includes('kaapanamultiinstallable') ? 'yes' : 'no';
    const kind = kindOf(kw);
    if (!kind) continue;
    ext.kind = kind;
    ext.releaseName = ext.name;
    ext.helmStatus = '';
    ext.kubeStatus = '';
    ext.successful = 'none';
    const installed = [...platform.releases.values()].filter((r) => r.extension && r.chart.startsWith(`${name}-`));
    if (kw.includes('kaapanamultiinstallable') || !platform.releases.has(name)) {
      ext.installed = 'no';
      list.push(ext);
    }
    for (const r of installed) {
      const version = versions.find((v) => r.chart === `${name}-${v}`);
      if (!version) continue;
      const successful = r.status === 'deployed' ? 'yes' : 'pending';
      if (successful !== 'yes') pending = true;
      list.push({
        ...structuredClone(ext),
        releaseName: r.name,
        successful,
        installed: 'yes',
        links: [],
        helmStatus: r.status[0].toUpperCase() + r.status.slice(1),
        kubeStatus: '',
        version,
      });
    }
  }
  return { list, pending };
}

/** 0.6.0 get_extensions_list body (one rebuild). */
async function build06(platform) {
  const available = await scanCharts(platform.extensionsDir, platform.log);
  const deployed = new Map();
  for (const r of platform.releases.values()) {
    if (!r.extension) continue;
    if (!deployed.has(r.chart)) deployed.set(r.chart, []);
    deployed.get(r.chart).push(r);
  }
  const byName = new Map();
  for (const [id, chart] of Object.entries(available)) {
    const kw = chart.keywords ?? [];
    const kind = kw.includes('kaapanaworkflow')
      ? 'dag'
      : kw.includes('kaapanaapplication')
        ? 'application'
        : kw.includes('kaapanaplatform')
          ? 'platform'
          : undefined;
    if (!kind) continue;
    if (!byName.has(chart.name)) {
      byName.set(chart.name, {
        latest_version: null,
        chart_name: chart.name,
        name: chart.name,
        links: [],
        available_versions: {},
        description: chart.description,
        keywords: kw,
        experimental: kw.includes('kaapanaexperimental') ? 'yes' : 'no',
        multiinstallable: kw.includes('kaapanamultiinstallable') ? 'yes' : 'no',
        kind,
        resourceRequirement: kw.includes('gpurequired') ? 'gpu' : 'cpu',
        extension_params: chart.values?.extension_params ?? null,
        annotations: chart.annotations ?? null,
        display_name: '',
      });
    }
    const ext = byName.get(chart.name);
    const deployments = (deployed.get(id) ?? []).map((r) => ({
      deployment_id: r.name,
      helm_status: r.status,
      helm_info: {
        app_version: r.app_version,
        chart: r.chart,
        name: r.name,
        namespace: r.namespace,
        revision: r.revision,
        status: r.status,
        updated: r.updated,
      },
      kube_status: r.status === 'deployed' ? ['completed'] : 'unknown',
      kube_info: null,
      links: [],
      ready: r.status === 'deployed',
    }));
    ext.available_versions[chart.version] = { deployments };
    const versions = Object.keys(ext.available_versions).sort((a, b) => compareLoose(b, a));
    ext.latest_version = versions[0];
    ext.version = versions[0];
    ext.versions = versions;
    ext.installed = deployments.length > 0 && ext.multiinstallable === 'no' ? 'yes' : (ext.installed ?? 'no');
    ext.helmStatus = deployments.length
      ? deployments.at(-1).helm_status[0].toUpperCase() + deployments.at(-1).helm_status.slice(1)
      : (ext.helmStatus ?? null);
    ext.kubeStatus = ext.kubeStatus ?? null;
  }
  const list = [];
  for (const ext of byName.values()) {
    ext.releaseName = ext.chart_name;
    list.push(ext);
  }
  return { list, pending: false };
}

/**
 * The /extensions cache of one platform. `get()` answers the endpoint; 0.1.x also runs the timer.
 * `timing.refreshDelayMs` stands for refresh_delay (30 s), `timing.listTimerMs` for the 5 s timer.
 */
export class ExtensionsList {
  constructor(platform) {
    this.platform = platform;
    this.cached = [];
    this.lastRefresh = undefined;
    this.pending = false;
    this.building = undefined;
    this.builds = 0;
    if (platform.gen.generation === '0.1.x') {
      this.timer = setInterval(() => void this.tick01(), platform.timing.listTimerMs);
      this.timer.unref?.();
    }
  }

  markPending() {
    this.pending = true;
  }

  async rebuild() {
    this.building ??= (async () => {
      const p = this.platform;
      const { list, pending } = p.gen.generation === '0.1.x' ? await build01(p) : await build06(p);
      this.cached = list;
      this.pending = pending;
      this.lastRefresh = Date.now();
      this.builds++;
      p.log(`Generating new extension-list... ${list.length} extension(s)`);
    })().finally(() => (this.building = undefined));
    return this.building;
  }

  /** 0.1.x get_extensions_list gate, run by the RepeatedTimer. */
  async tick01() {
    const fresh =
      !this.pending &&
      this.lastRefresh !== undefined &&
      this.cached.length > 0 &&
      Date.now() - this.lastRefresh < this.platform.timing.refreshDelayMs;
    if (this.building || fresh) return;
    await this.rebuild();
  }

  /** What GET /extensions answers. */
  async get() {
    if (this.platform.gen.generation === '0.1.x') return this.cached;
    if (this.building) return this.cached; // update_running: the list being built is not waited for
    const fresh = this.lastRefresh !== undefined && Date.now() - this.lastRefresh < this.platform.timing.refreshDelayMs;
    if (!fresh) await this.rebuild();
    return this.cached;
  }

  close() {
    if (this.timer) clearInterval(this.timer);
  }
}
