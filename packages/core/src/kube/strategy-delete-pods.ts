// Strategy `delete-pods`: delete pods and wait until their controllers (Job, ReplicaSet,
// StatefulSet, DaemonSet) have replaced each of them with a pod that is Ready or has Succeeded.
// Without a selector it takes the pods of the collection copy Jobs, matched by name prefix
// (`copy-kube-helm-collections-<uuid10>`: the name differs at every install). Refuses what cannot
// work: a pod no controller owns (nothing brings it back), a pod of a finished Job (Kubernetes never
// re-runs a completed or failed Job), and a running Job's pod whose deletion would exceed the Job's
// backoffLimit (the job controller counts a deleted unfinished pod as failed; Kaapana's copy Jobs
// have backoffLimit 0). For a reload of the collection those refusals point to strategy kube-helm.
import { KxError } from '../errors/index.js';
import { jobState, listJobs, type Job } from './copy-jobs.js';
import { KubectlError } from './kubectl-errors.js';
import { controllerOf, isPodReady, isPodSucceeded, isTerminating, podState, type List, type Pod } from './objects.js';
import { COPY_JOB_PREFIX } from './platform.js';
import type { RestartResult, StrategyContext } from './restart-types.js';
import { kubectlDuration } from './duration.js';

export interface DeletePodsOptions {
  /** Label selector of the pods; empty → the pods of the Jobs named `<jobPrefix>…`. */
  selector?: string;
  /** Job name prefix used without a selector (default copy-kube-helm-collections-). */
  jobPrefix?: string;
}

const USE_KUBE_HELM =
  "Use strategy kube-helm: kube-helm's GET /update-extensions reinstalls update-collections-chart, whose new copy Job pulls the collection image again";

/** Why deleting `pod` (owned by `job`) would not bring a replacement, or undefined. */
function refusal(pod: Pod, job: Job): string | undefined {
  const state = jobState(job);
  if (state !== 'active') {
    return `refusing to delete pod/${pod.metadata.name}: it belongs to job/${job.metadata.name}, which has ${state === 'complete' ? 'completed' : 'failed'}; Kubernetes never re-runs a finished Job, so deleting its pod reloads nothing. ${USE_KUBE_HELM}`;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  const failed = job.status?.failed ?? 0;
  if (!isPodSucceeded(pod) && failed + 1 > limit) {
    return `refusing to delete pod/${pod.metadata.name}: job/${job.metadata.name} is still running with backoffLimit ${limit} (${failed} failure(s) so far); Kubernetes counts a deleted unfinished pod as failed, so the Job would fail instead of running again. ${USE_KUBE_HELM}`;
  }
  return undefined;
}

/** What one run works on: the pods' selector, where they are, and how they are listed. */
interface Target {
  ns: string | undefined;
  /** `namespace "…"`, for messages. */
  where: string;
  prefix: string;
  selector: string;
  listArgs: string[];
  /** The Jobs named `<prefix>…` when the selector was made from them. */
  jobsByPrefix: Job[] | undefined;
}

/** The pods deleted, per controller: each controller must bring back as many finished-or-ready pods. */
interface Deleted {
  wanted: Map<string, { owner: string; count: number }>;
  oldUids: Set<string>;
}

export async function deletePods(ctx: StrategyContext, opts: DeletePodsOptions): Promise<RestartResult> {
  const { kubectl } = ctx;
  const t = await target(ctx, opts);
  const result: RestartResult = {
    strategy: 'delete-pods',
    dryRun: kubectl.dryRun,
    resources: [],
    pods: [],
    commands: kubectl.history,
    ...(t.ns ? { namespace: t.ns } : {}),
  };
  if (kubectl.dryRun) return await dryRunDelete(ctx, t, result);
  const before = await podsToDelete(ctx, opts, t);
  await refuseUnreplaceable(ctx, before, t.jobsByPrefix);
  const deleted = await deleteAll(ctx, before, t.ns, result);
  return await waitForReplacements(ctx, t, deleted, result);
}

/** The selector: the given one, else the Jobs named `<prefix>…` (listed unless in a dry run). */
async function target(ctx: StrategyContext, opts: DeletePodsOptions): Promise<Target> {
  const { kubectl } = ctx;
  const ns = kubectl.namespace;
  const where = `namespace "${ns ?? '(from context)'}"`;
  const prefix = opts.jobPrefix || COPY_JOB_PREFIX;
  let selector = opts.selector?.trim() ?? '';
  let jobsByPrefix: Job[] | undefined;
  if (!selector && !kubectl.dryRun) {
    jobsByPrefix = await listJobs(kubectl, ns ?? 'default', prefix);
    if (jobsByPrefix.length === 0)
      throw new KxError(
        `no Job named ${prefix}… in ${where}; nothing was deleted (check the namespace; the copy Jobs run in default at Kaapana 0.1.x and in admin from 0.2 on)`,
      );
    selector = `job-name in (${jobsByPrefix.map((j) => j.metadata.name).join(',')})`;
  }
  if (!selector) selector = `job-name in (${prefix}…)`;
  const listArgs = ['get', 'pods', '--selector', selector, '--output', 'json'];
  return { ns, where, prefix, selector, listArgs, jobsByPrefix };
}

async function dryRunDelete(ctx: StrategyContext, t: Target, result: RestartResult): Promise<RestartResult> {
  const { kubectl } = ctx;
  await kubectl.run(t.listArgs);
  await kubectl.run(['delete', 'pods', '--selector', t.selector, '--wait=false']);
  ctx.log(
    `[dry-run] then poll \`${kubectl.commandLine(t.listArgs)}\` for up to ${kubectlDuration(ctx.timeoutMs)} until each deleted pod is replaced by one that is Ready or Succeeded`,
  );
  result.resources.push({
    kind: 'Pod',
    name: `-l ${t.selector}`,
    ...(t.ns ? { namespace: t.ns } : {}),
    action: 'would delete',
  });
  return result;
}

/** The selected pods that are not already terminating; refuses when there is none. */
async function podsToDelete(ctx: StrategyContext, opts: DeletePodsOptions, t: Target): Promise<Pod[]> {
  const before = (await ctx.kubectl.json<List<Pod>>(t.listArgs)).items.filter((p) => !isTerminating(p));
  if (before.length === 0) {
    const what = opts.selector ? `selector "${opts.selector}"` : `the pods of the Jobs named ${t.prefix}…`;
    throw new KxError(
      `no pod matched ${what} in ${t.where}; nothing was deleted (check the ${opts.selector ? 'selector' : 'job-prefix'} and namespace inputs)`,
    );
  }
  return before;
}

/** Refuses, before deleting anything, pods no controller owns and Job pods that would not come back. */
async function refuseUnreplaceable(
  ctx: StrategyContext,
  before: Pod[],
  jobsByPrefix: Job[] | undefined,
): Promise<void> {
  const orphans = before.filter((p) => !controllerOf(p));
  if (orphans.length > 0) {
    throw new KxError(
      `refusing to delete ${orphans.map((p) => `pod/${p.metadata.name}`).join(', ')}: no controller owns ${orphans.length === 1 ? 'it' : 'them'}, so nothing would start a replacement; narrow the selector`,
    );
  }
  const jobOwned = before.filter((p) => controllerOf(p)?.kind === 'Job');
  if (jobOwned.length === 0) return;
  const jobs = new Map(
    (jobsByPrefix ?? (await ctx.kubectl.json<List<Job>>(['get', 'jobs', '--output', 'json'])).items).map((j) => [
      j.metadata.uid ?? j.metadata.name,
      j,
    ]),
  );
  const reasons = jobOwned.map((p) => {
    const job = jobs.get(controllerOf(p)!.uid);
    return job ? refusal(p, job) : undefined;
  });
  const first = reasons.find(Boolean);
  if (first)
    throw new KxError(
      `${first}${reasons.filter(Boolean).length > 1 ? ` (and ${reasons.filter(Boolean).length - 1} more pod(s) like it)` : ''}; nothing was deleted`,
    );
}

/** Deletes the pods (without waiting), counting them per controller. */
async function deleteAll(
  ctx: StrategyContext,
  before: Pod[],
  ns: string | undefined,
  result: RestartResult,
): Promise<Deleted> {
  const wanted = new Map<string, { owner: string; count: number }>();
  const oldUids = new Set<string>();
  for (const pod of before) {
    const owner = controllerOf(pod)!;
    const entry = wanted.get(owner.uid) ?? { owner: `${owner.kind}/${owner.name}`, count: 0 };
    entry.count++;
    wanted.set(owner.uid, entry);
    oldUids.add(pod.metadata.uid ?? pod.metadata.name);
    ctx.log(`deleting pod/${pod.metadata.name} (${podState(pod)}, owned by ${entry.owner})`);
    result.resources.push({
      kind: 'Pod',
      name: pod.metadata.name,
      ...(ns ? { namespace: ns } : {}),
      action: 'deleted',
    });
  }
  await ctx.kubectl.run(
    ['delete', 'pods', ...before.map((p) => p.metadata.name), '--wait=false', '--ignore-not-found'],
    { echo: true },
  );
  return { wanted, oldUids };
}

/** Polls until every controller has as many new pods Ready or Succeeded as were deleted, or the timeout. */
async function waitForReplacements(
  ctx: StrategyContext,
  t: Target,
  { wanted, oldUids }: Deleted,
  result: RestartResult,
): Promise<RestartResult> {
  const { kubectl, log } = ctx;
  const deadline = Date.now() + ctx.timeoutMs;
  const pollMs = ctx.pollMs ?? 2000;
  let lastReport = '';
  for (;;) {
    const now = (await kubectl.json<List<Pod>>(t.listArgs, { quiet: true })).items;
    const fresh = now.filter((p) => !oldUids.has(p.metadata.uid ?? p.metadata.name) && !isTerminating(p));
    const done = replacementsByOwner(fresh, wanted);
    const missing = [...wanted.entries()].filter(([uid, w]) => (done.get(uid)?.length ?? 0) < w.count);
    const report = fresh.map((p) => `pod/${p.metadata.name} ${podState(p)}`).join(', ') || 'no replacement pod yet';
    if (missing.length === 0) {
      result.pods = [...done.values()].flat().map((p) => p.metadata.name);
      for (const [, w] of wanted) log(`${w.owner}: replacement ready or succeeded`);
      log(`replacement pods: ${result.pods.join(', ')}`);
      return result;
    }
    if (report !== lastReport) {
      log(`waiting for ${missing.map(([, w]) => w.owner).join(', ')}: ${report}`);
      lastReport = report;
    }
    if (Date.now() + pollMs > deadline) {
      throw new KubectlError(
        `timed out after ${kubectlDuration(ctx.timeoutMs)} waiting for replacement pods of ${missing.map(([, w]) => w.owner).join(', ')} in ${t.where} to be Ready or Succeeded; last seen: ${report}`,
        'timeout',
        kubectl.commandLine(t.listArgs),
        '',
        null,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The new pods Ready or Succeeded, per controller that had a pod deleted. */
function replacementsByOwner(fresh: Pod[], wanted: Deleted['wanted']): Map<string, Pod[]> {
  const done = new Map<string, Pod[]>();
  for (const pod of fresh) {
    const owner = controllerOf(pod);
    if (!owner || !wanted.has(owner.uid) || !(isPodReady(pod) || isPodSucceeded(pod))) continue;
    done.set(owner.uid, [...(done.get(owner.uid) ?? []), pod]);
  }
  return done;
}
