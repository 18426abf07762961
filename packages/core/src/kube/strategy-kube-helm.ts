// Strategy `kube-helm` (every Kaapana version): ask kube-helm to reload the extension collections
// (`GET /update-extensions`, the UI's cloud button) through the API server's service proxy, then
// prove it happened. kube-helm answers only after `helm uninstall --wait` + `helm install --wait` of
// update-collections-chart (minutes at worst; hence the long request timeout), and its 202 proves
// nothing: `--wait` does not wait for Jobs. So the strategy then waits until a *new*
// copy-kube-helm-collections-<uuid10> Job has completed (failing with its pod's state: ErrImagePull,
// Failed, …) and until `GET /extensions` lists every expected `<name>-<version>`.
// Sources: kube-helm routes.py / utils.py execute_update_extensions (v0.1.x and v0.6.0),
// update-collections-chart/templates/job.yaml.
import { classifyKubectlStderr, KubectlError, stderrTail, type KubectlFailure } from './kubectl-errors.js';
import { waitForNewCopyJob, listJobs } from './copy-jobs.js';
import { kubectlDuration } from './duration.js';
import { waitForExtensionCharts } from './extensions.js';
import { COPY_JOB_PREFIX } from './platform.js';
import type { RestartResult, StrategyContext } from './restart-types.js';
import { lastLoggedStatus, serviceProxyPath } from './service-proxy.js';

export const DEFAULT_KUBE_HELM_SERVICE = 'kube-helm-service:5000';
export const DEFAULT_KUBE_HELM_PATH = '/update-extensions';
export const DEFAULT_ADMIN_NAMESPACE = 'admin';
/** Default `--request-timeout` of the reload call: kube-helm's uninstall alone may wait 5 min. */
export const DEFAULT_RELOAD_REQUEST_TIMEOUT_SEC = 600;

export interface KubeHelmOptions {
  /** `name:port` of the service (port optional). */
  service: string;
  /** Path on the service, e.g. `/update-extensions`. */
  path: string;
  /** Namespace of the copy Jobs (0.1.x: default; from 0.2 on: the admin namespace). */
  jobNamespace?: string;
  /** Copy Job name prefix (default copy-kube-helm-collections-). */
  jobPrefix?: string;
  /** `<name>-<version>` charts /extensions must list afterwards. */
  expectCharts?: string[];
  /** Wait for the new copy Job and the extension list (default true for /update-extensions). */
  verify?: boolean;
  /** `--request-timeout` of the reload call, seconds. */
  requestTimeoutSec?: number;
}

export async function kubeHelmReload(ctx: StrategyContext, opts: KubeHelmOptions): Promise<RestartResult> {
  const { kubectl, log } = ctx;
  const started = Date.now();
  const deadline = started + ctx.timeoutMs;
  const pollMs = ctx.pollMs ?? 2000;
  const ns = kubectl.namespace ?? DEFAULT_ADMIN_NAMESPACE;
  const jobNs = opts.jobNamespace ?? ns;
  const prefix = opts.jobPrefix ?? COPY_JOB_PREFIX;
  const verify = (opts.verify ?? true) && opts.path.replace(/\?.*$/, '') === DEFAULT_KUBE_HELM_PATH;
  const requestTimeoutSec = opts.requestTimeoutSec ?? DEFAULT_RELOAD_REQUEST_TIMEOUT_SEC;
  const raw = serviceProxyPath(ns, opts.service, opts.path);
  const serviceName = opts.service.split(':')[0]!;
  const result: RestartResult = {
    strategy: 'kube-helm',
    namespace: ns,
    dryRun: kubectl.dryRun,
    resources: [],
    pods: [],
    commands: kubectl.history,
  };
  const classify = (stderr: string): KubectlFailure => {
    const status = lastLoggedStatus(stderr);
    if (status === 500) return 'failed'; // kube-helm's own "Extensions update failed": retrying will not help
    if (status === 502 || status === 503 || status === 504 || status === 429) return 'transient';
    if (status === 404) return 'not-found';
    return classifyKubectlStderr(stderr);
  };

  const before = new Set<string>();
  if (verify && !kubectl.dryRun) for (const j of await listJobs(kubectl, jobNs, prefix)) before.add(j.metadata.name);

  let out: { stdout: string; stderr: string };
  try {
    out = await kubectl.run(['get', '--raw', raw, '-v=6'], {
      namespaced: false,
      classify,
      requestTimeoutSec,
      deadlineMs: requestTimeoutSec * 1000 + 60_000,
    });
  } catch (e) {
    if (!(e instanceof KubectlError) || ['unreachable', 'unauthorized', 'forbidden'].includes(e.failure)) throw e;
    const status = lastLoggedStatus(e.stderr);
    const what =
      e.failure === 'not-found'
        ? `service ${serviceName} (or its path ${opts.path}) was not found in namespace "${ns}"`
        : e.failure === 'timeout'
          ? `${serviceName} in namespace "${ns}" did not answer ${opts.path} within the request timeout (${requestTimeoutSec}s; kube-helm answers after helm uninstall/install --wait, raise request-timeout)`
          : `${serviceName} in namespace "${ns}" answered ${status ?? 'with an error'} to ${opts.path}`;
    throw new KubectlError(
      `kube-helm reload failed: ${what}\n  command: ${e.command}\n  kubectl: ${stderrTail(e.stderr)}`,
      e.failure,
      e.command,
      e.stderr,
      e.exitCode,
    );
  }
  result.resources.push({
    kind: 'Service',
    name: serviceName,
    namespace: ns,
    action: kubectl.dryRun ? `would call GET ${opts.path}` : `called GET ${opts.path}`,
  });
  if (kubectl.dryRun) {
    if (verify) {
      log(
        `[dry-run] then wait up to ${kubectlDuration(ctx.timeoutMs)} for a new ${prefix}… Job in namespace "${jobNs}" to complete` +
          (opts.expectCharts?.length ? ` and for /extensions to list ${opts.expectCharts.join(', ')}` : ''),
      );
    }
    return result;
  }
  const status = lastLoggedStatus(out.stderr);
  const reply = out.stdout.trim().slice(0, 2000);
  if (status !== undefined) result.status = status;
  result.reply = reply;
  log(`${serviceName} answered ${status ?? '2xx'}: ${reply || '(empty body)'}`);
  if (!verify) return result;

  log(
    `verifying: a new copy Job in namespace "${jobNs}", then /extensions${opts.expectCharts?.length ? ` listing ${opts.expectCharts.join(', ')}` : ''}`,
  );
  const done = await waitForNewCopyJob(kubectl, { namespace: jobNs, prefix, before, deadline, pollMs, log });
  result.job = done.job;
  result.jobNamespace = jobNs;
  if (done.pod) {
    result.pod = done.pod;
    result.pods.push(done.pod);
  }
  if (done.podState) result.podState = done.podState;
  result.resources.push({ kind: 'Job', name: done.job, namespace: jobNs, action: 'completed' });
  log(`job/${done.job} completed${done.pod ? ` (pod/${done.pod} ${done.podState})` : ''}`);
  result.charts = await waitForExtensionCharts(kubectl, {
    namespace: ns,
    service: opts.service,
    expected: opts.expectCharts ?? [],
    deadline,
    pollMs,
    log,
    context: `the copy Job job/${done.job} completed (pod/${done.pod ?? '?'} ${done.podState ?? ''})`,
  });
  log(
    `/extensions lists ${result.charts.length} chart version(s)${opts.expectCharts?.length ? `, including ${opts.expectCharts.join(', ')}` : ''}`,
  );
  result.verifiedMs = Date.now() - started;
  return result;
}
