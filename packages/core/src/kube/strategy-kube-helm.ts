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

/** One reload: where kube-helm and the copy Jobs are, what to call, and the bounds of the wait. */
interface Reload {
  started: number;
  deadline: number;
  pollMs: number;
  ns: string;
  jobNs: string;
  prefix: string;
  verify: boolean;
  requestTimeoutSec: number;
  /** The service proxy path of the call. */
  raw: string;
  serviceName: string;
}

export async function kubeHelmReload(ctx: StrategyContext, opts: KubeHelmOptions): Promise<RestartResult> {
  const { kubectl } = ctx;
  const r = reloadPlan(ctx, opts);
  const result: RestartResult = {
    strategy: 'kube-helm',
    namespace: r.ns,
    dryRun: kubectl.dryRun,
    resources: [],
    pods: [],
    commands: kubectl.history,
  };
  const before = new Set<string>();
  if (r.verify && !kubectl.dryRun)
    for (const j of await listJobs(kubectl, r.jobNs, r.prefix)) before.add(j.metadata.name);
  const out = await callKubeHelm(ctx, opts, r);
  result.resources.push({
    kind: 'Service',
    name: r.serviceName,
    namespace: r.ns,
    action: kubectl.dryRun ? `would call GET ${opts.path}` : `called GET ${opts.path}`,
  });
  if (kubectl.dryRun) {
    if (r.verify) {
      ctx.log(
        `[dry-run] then wait up to ${kubectlDuration(ctx.timeoutMs)} for a new ${r.prefix}… Job in namespace "${r.jobNs}" to complete` +
          (opts.expectCharts?.length ? ` and for /extensions to list ${opts.expectCharts.join(', ')}` : ''),
      );
    }
    return result;
  }
  const status = lastLoggedStatus(out.stderr);
  const reply = out.stdout.trim().slice(0, 2000);
  if (status !== undefined) result.status = status;
  result.reply = reply;
  ctx.log(`${r.serviceName} answered ${status ?? '2xx'}: ${reply || '(empty body)'}`);
  if (r.verify) await verifyReload(ctx, opts, r, before, result);
  return result;
}

function reloadPlan(ctx: StrategyContext, opts: KubeHelmOptions): Reload {
  const started = Date.now();
  const ns = ctx.kubectl.namespace ?? DEFAULT_ADMIN_NAMESPACE;
  return {
    started,
    deadline: started + ctx.timeoutMs,
    pollMs: ctx.pollMs ?? 2000,
    ns,
    jobNs: opts.jobNamespace ?? ns,
    prefix: opts.jobPrefix ?? COPY_JOB_PREFIX,
    verify: (opts.verify ?? true) && opts.path.replace(/\?.*$/, '') === DEFAULT_KUBE_HELM_PATH,
    requestTimeoutSec: opts.requestTimeoutSec ?? DEFAULT_RELOAD_REQUEST_TIMEOUT_SEC,
    raw: serviceProxyPath(ns, opts.service, opts.path),
    serviceName: opts.service.split(':')[0]!,
  };
}

/** kube-helm's own answers, from the status kubectl logged at -v=6, before kubectl's stderr. */
function classifyReply(stderr: string): KubectlFailure {
  const status = lastLoggedStatus(stderr);
  if (status === 500) return 'failed'; // kube-helm's own "Extensions update failed": retrying will not help
  if (status === 502 || status === 503 || status === 504 || status === 429) return 'transient';
  if (status === 404) return 'not-found';
  return classifyKubectlStderr(stderr);
}

/** `GET` the path through the service proxy; a failure says what kube-helm (or the proxy) answered. */
async function callKubeHelm(
  ctx: StrategyContext,
  opts: KubeHelmOptions,
  r: Reload,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await ctx.kubectl.run(['get', '--raw', r.raw, '-v=6'], {
      namespaced: false,
      classify: classifyReply,
      requestTimeoutSec: r.requestTimeoutSec,
      deadlineMs: r.requestTimeoutSec * 1000 + 60_000,
    });
  } catch (e) {
    if (!(e instanceof KubectlError) || ['unreachable', 'unauthorized', 'forbidden'].includes(e.failure)) throw e;
    const status = lastLoggedStatus(e.stderr);
    const what =
      e.failure === 'not-found'
        ? `service ${r.serviceName} (or its path ${opts.path}) was not found in namespace "${r.ns}"`
        : e.failure === 'timeout'
          ? `${r.serviceName} in namespace "${r.ns}" did not answer ${opts.path} within the request timeout (${r.requestTimeoutSec}s; kube-helm answers after helm uninstall/install --wait, raise request-timeout)`
          : `${r.serviceName} in namespace "${r.ns}" answered ${status ?? 'with an error'} to ${opts.path}`;
    throw new KubectlError(
      `kube-helm reload failed: ${what}\n  command: ${e.command}\n  kubectl: ${stderrTail(e.stderr)}`,
      e.failure,
      e.command,
      e.stderr,
      e.exitCode,
    );
  }
}

/** Proof of the reload: a new copy Job (not in `before`) completed, then `/extensions` lists the expected charts. */
async function verifyReload(
  ctx: StrategyContext,
  opts: KubeHelmOptions,
  r: Reload,
  before: Set<string>,
  result: RestartResult,
): Promise<void> {
  const { kubectl, log } = ctx;
  const { jobNs, deadline, pollMs } = r;
  log(
    `verifying: a new copy Job in namespace "${jobNs}", then /extensions${opts.expectCharts?.length ? ` listing ${opts.expectCharts.join(', ')}` : ''}`,
  );
  const done = await waitForNewCopyJob(kubectl, { namespace: jobNs, prefix: r.prefix, before, deadline, pollMs, log });
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
    namespace: r.ns,
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
  result.verifiedMs = Date.now() - r.started;
}
