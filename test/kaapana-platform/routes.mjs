// kube-helm's HTTP endpoints, one route table per generation. Each handler gets
// `(req, platform)` with req = { method, path, query: URLSearchParams, headers, body: Buffer } and
// returns { status, body (string | JSON value | Buffer), headers? }. Other modules add endpoints with
// `platform.addRoute(method, path, handler)` (see README.md). Sources:
//   0.1.x v0.1.x/services/kaapana-core/kube-helm/docker/files/backend/app/routes.py (+ utils.py)
//   0.6.0 v0.6.0/services/kaapana-admin/kube-helm/docker/files/backend/app/routes.py (+ utils.py)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { installCheck, loadArchiveBuffer } from './chart-check.mjs';
import { executeUpdateExtensions } from './update-collections.mjs';

const text = (status, body) => ({ status, body: String(body) });
const json = (status, body) => ({ status, body });
/** FastAPI's HTTPException body. */
const detail = (status, message) => ({ status, body: { detail: message } });

function parseJson(req) {
  return JSON.parse(req.body.toString('utf8') || 'null');
}

/** helm_show_chart of `<extensions>/<name>-<version>.tgz`: `{}` when helm cannot read it. */
async function showChart(platform, name, version) {
  try {
    return (
      await loadArchiveBuffer(
        await readFile(join(platform.extensionsDir, `${name}-${version}.tgz`)),
        `${name}-${version}.tgz`,
      )
    ).metadata;
  } catch {
    return {};
  }
}

/**
 * `helm install <release> <extensions>/<name>-<version>.tgz`: resolves `{ ok, output }` (helm's
 * error text when not ok). A chart that passes becomes a deployed release.
 */
export async function helmInstallChart(platform, release, name, version, namespace = platform.gen.helmNamespace) {
  const file = join(platform.extensionsDir, `${name}-${version}.tgz`);
  let buf;
  try {
    buf = await readFile(file);
  } catch {
    return { ok: false, output: `Error: INSTALLATION FAILED: path "${file}" not found` };
  }
  try {
    await installCheck(buf, file);
  } catch (e) {
    return { ok: false, output: e.message };
  }
  platform.releases.set(release, {
    name: release,
    namespace,
    chart: `${name}-${version}`,
    app_version: '',
    status: 'deployed',
    revision: '1',
    updated: new Date().toISOString(),
    values: {},
    jobs: [],
    extension: true,
  });
  return { ok: true, output: JSON.stringify({ name: release, namespace, info: { status: 'deployed' } }) };
}

/**
 * utils.helm_status (both generations): `helm -n <ns> status <release>` — helm's plain-text output,
 * not `-o json` — parsed with yaml.load, so the route answers helm's upper-case keys (Kaapana's CI
 * reads `r.json()["STATUS"]`, v0.6.0/ci/ci-code/test/src/base_utils/utils_extensions.py).
 */
function releaseStatus(platform, name) {
  const r = platform.releases.get(name);
  if (!r) return undefined;
  return {
    NAME: r.name,
    'LAST DEPLOYED': new Date(r.updated).toUTCString(),
    NAMESPACE: r.namespace,
    STATUS: r.status,
    REVISION: Number(r.revision),
    'TEST SUITE': 'None',
  };
}

async function updateExtensions(platform, failText) {
  const { installError, message } = await executeUpdateExtensions(platform);
  if (!installError) return text(202, message);
  platform.log(`/update-extensions failed ${message}`);
  return text(500, failText(message));
}

/** routes.py at 0.1.x. */
export function routes01() {
  return {
    'GET /health-check': () => text(200, 'Kube-Helm api is up and running!'),
    'GET /update-extensions': (_req, p) => updateExtensions(p, (m) => m),
    'GET /extensions': async (_req, p) => json(200, await p.extensions.get()),
    'GET /view-chart-status': (req, p) => {
      const s = releaseStatus(p, req.query.get('release_name') ?? '');
      return s ? json(200, s) : text(404, 'Release not found');
    },
    'GET /helm-delete-chart': (req, p) => {
      // utils.helm_delete runs `helm uninstall` in the background (Popen): always "Successfully uninstalled".
      const name = req.query.get('release_name');
      if (name === null)
        return json(422, {
          detail: [{ loc: ['query', 'release_name'], msg: 'field required', type: 'value_error.missing' }],
        });
      setImmediate(() => p.releases.get(name)?.extension && p.releases.delete(name));
      p.extensions.markPending();
      return json(200, { message: 'Successfully uninstalled', status: '200' });
    },
    'POST /helm-install-chart': async (req, p) => {
      // utils.helm_install(payload) starts helm in the background (Popen) and the route answers 200
      // with the command; helm's result only reaches kube-helm's log.
      let helmCommand = 'nothing to say...';
      try {
        const payload = parseJson(req);
        const { name, version } = payload;
        if (name === undefined || version === undefined) throw new Error('KeyError');
        const chart = await showChart(p, name, version);
        const keywords = payload.keywords ?? chart.keywords ?? [];
        const release =
          payload.release_name ??
          (keywords.includes('kaapanamultiinstallable') ? `${name}-${randomBytes(10).toString('hex')}` : name);
        if (p.releases.has(release) && !keywords.includes('kaapanamultiinstallable'))
          return text(200, `Trying to install chart with Nothing more to say`);
        helmCommand = `/usr/local/bin/helm -n ${p.gen.helmNamespace} install  ${release}  /root/extensions/${name}-${version}.tgz -o json `;
        p.extensions.markPending();
        setImmediate(async () => {
          const r = await helmInstallChart(p, release, name, version);
          p.log(r.ok ? `helm install ${release}: deployed` : r.output);
        });
        return text(200, `Trying to install chart with ${helmCommand}`);
      } catch {
        return text(500, `A helm command error occured while executing ${helmCommand}!`);
      }
    },
  };
}

/** routes.py at 0.6.0 (upload/import/platform endpoints are added by their own modules). */
export function routes06() {
  return {
    'GET /health-check': () => text(200, 'Kube-Helm api is up and running!'),
    'GET /update-extensions': (_req, p) => updateExtensions(p, (m) => `Extensions update failed ${m}`),
    'GET /extensions': async (_req, p) => {
      try {
        return json(200, await p.extensions.get());
      } catch {
        return detail(500, 'Failed to get extensions');
      }
    },
    'GET /view-chart-status': (req, p) => {
      const s = releaseStatus(p, req.query.get('release_name') ?? '');
      return s ? json(200, s) : text(404, 'Release not found');
    },
    'POST /helm-install-chart': async (req, p) => {
      let payload;
      try {
        payload = parseJson(req);
      } catch (e) {
        return detail(500, `Chart install failed ${e.message}`);
      }
      if (!payload || !('name' in payload))
        return text(400, "Chart install failed, bad request Required key 'name' not found in payload");
      if (!('version' in payload))
        return text(400, "Chart install failed, bad request Required key 'version' not found in payload");
      const { name, version } = payload;
      // routes.py: with the kaapanamultiinstallable keyword in the payload, the Project header is
      // json.loads'ed (missing → TypeError → 500) and its id/name become extension_params.
      if ((payload.keywords ?? []).includes('kaapanamultiinstallable')) {
        const header = req.headers.project;
        if (header === undefined)
          return detail(500, 'Chart install failed the JSON object must be str, bytes or bytearray, not NoneType');
        let project;
        try {
          project = JSON.parse(String(header));
        } catch (e) {
          return detail(500, `Chart install failed ${e.message}`);
        }
        payload.extension_params = {
          ...(payload.extension_params ?? {}),
          project_id: project?.id,
          project_name: project?.name,
        };
      }
      const chart = await showChart(p, name, version);
      const keywords = payload.keywords ?? chart.keywords ?? [];
      const release =
        payload.release_name ??
        (keywords.includes('kaapanamultiinstallable') ? `${name}-${randomBytes(10).toString('hex')}` : name);
      if (p.releases.has(release) && !keywords.includes('kaapanamultiinstallable'))
        return text(200, `Chart is already installed ${release}`);
      const r = await helmInstallChart(p, release, name, version);
      if (r.ok) {
        if (payload.extension_params) p.releases.get(release).values = { global: { ...payload.extension_params } };
        p.extensions.markPending();
        return text(200, `Successfully installed: ${release}`);
      }
      // helm_helper.exec_shell_cmd_async logs stderr; the route only names the release.
      p.log(`ERROR while executing command: ${r.output}`);
      return text(500, `Chart install command failed for ${release}`);
    },
    'POST /helm-delete-chart': (req, p) => {
      let payload;
      try {
        payload = parseJson(req);
      } catch (e) {
        return detail(500, `Chart uninstall failed ${e.message}`);
      }
      if (!payload || !('release_name' in payload))
        return text(400, "Chart uninstall failed, bad request Required key 'release_name' not found in payload");
      const name = payload.release_name;
      if (!p.releases.get(name)?.extension)
        return text(
          400,
          `Chart uninstall command failedError: uninstall: Release not loaded: ${name}: release: not found`,
        );
      p.releases.delete(name);
      return text(200, `Started uninstalling ${name}`);
    },
  };
}
