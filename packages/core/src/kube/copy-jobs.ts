// The collection copy Jobs of a running Kaapana (`copy-kube-helm-collections-<uuid10>`, one per
// install of update-collections-chart, restartPolicy Never, backoffLimit 0): listing them, their
// state as Kubernetes' job controller sets it (Complete / Failed conditions), their pods and what
// those pods are doing (ErrImagePull, ImagePullBackOff, Failed, …), and waiting for a new one to
// finish. A finished Job never starts another pod.
import { KxError } from '../errors/index.js';
import { KubectlError } from './kubectl-errors.js';
import type { Kubectl } from './kubectl.js';
import { podState, type List, type ObjectMeta, type Pod } from './objects.js';

export interface Job {
  metadata: ObjectMeta;
  spec?: { backoffLimit?: number };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
}

export type JobState = 'complete' | 'failed' | 'active';

export function jobState(job: Job): JobState {
  const c = job.status?.conditions ?? [];
  if (c.some((x) => x.type === 'Complete' && x.status === 'True') || (job.status?.succeeded ?? 0) > 0)
    return 'complete';
  if (c.some((x) => x.type === 'Failed' && x.status === 'True')) return 'failed';
  return 'active';
}

/** Jobs of `namespace` whose name starts with `prefix`, oldest first. */
export async function listJobs(kubectl: Kubectl, namespace: string, prefix: string, quiet = false): Promise<Job[]> {
  const list = await kubectl.json<List<Job>>(['get', 'jobs', '--namespace', namespace, '--output', 'json'], {
    namespaced: false,
    quiet,
  });
  return list.items
    .filter((j) => j.metadata.name.startsWith(prefix))
    .sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
}

export async function podsOfJob(kubectl: Kubectl, namespace: string, job: string, quiet = true): Promise<Pod[]> {
  const list = await kubectl.json<List<Pod>>(
    ['get', 'pods', '--namespace', namespace, '--selector', `job-name=${job}`, '--output', 'json'],
    { namespaced: false, quiet },
  );
  return list.items;
}

/** The waiting/terminated message of a pod's first container, if any. */
export function podMessage(pod: Pod): string | undefined {
  const s = pod.status?.containerStatuses?.[0]?.state;
  return s?.['waiting']?.message ?? s?.['terminated']?.message;
}

/** Last lines of a pod's log, or '' when kubectl cannot get them (a pod that never started). */
export async function podLogTail(kubectl: Kubectl, namespace: string, pod: string, lines = 15): Promise<string> {
  try {
    const { stdout } = await kubectl.run(['logs', '--namespace', namespace, pod, `--tail=${lines}`], {
      namespaced: false,
      quiet: true,
      retry: false,
    });
    return stdout.trim();
  } catch {
    return '';
  }
}

export interface FinishedCopyJob {
  job: string;
  pod?: string;
  podState?: string;
}

/** A pull that cannot succeed by waiting: the registry says the image or tag does not exist. */
function hopelessPull(pod: Pod): boolean {
  const w = pod.status?.containerStatuses?.[0]?.state?.['waiting'];
  return (
    (w?.reason === 'ErrImagePull' || w?.reason === 'ImagePullBackOff' || w?.reason === 'InvalidImageName') &&
    /not found|NotFound|manifest unknown|InvalidImageName|invalid reference/i.test(w?.message ?? w?.reason ?? '')
  );
}

/** A new copy Job as last seen: its newest pod, its state, and the line that reports it. */
interface SeenJob {
  job: Job;
  pod?: Pod;
  state: JobState;
  text: string;
}

/** The Jobs with `prefix` not in `before`, each with its newest pod. */
async function newJobs(kubectl: Kubectl, namespace: string, prefix: string, before: Set<string>): Promise<SeenJob[]> {
  const jobs = (await listJobs(kubectl, namespace, prefix, true)).filter((j) => !before.has(j.metadata.name));
  const states: SeenJob[] = [];
  for (const job of jobs) {
    const pod = (await podsOfJob(kubectl, namespace, job.metadata.name)).at(-1);
    const state = jobState(job);
    states.push({
      job,
      ...(pod ? { pod } : {}),
      state,
      text: `job/${job.metadata.name} ${state}, ${pod ? `pod/${pod.metadata.name} ${podState(pod)}` : 'no pod yet'}`,
    });
  }
  return states;
}

/** Why a failed Job (or one whose image cannot be pulled) did not copy the collection, with its pod's log. */
async function copyJobFailure(kubectl: Kubectl, namespace: string, bad: SeenJob): Promise<KxError> {
  const name = bad.job.metadata.name;
  const msg = bad.pod ? podMessage(bad.pod) : undefined;
  const logs = bad.pod && bad.state === 'failed' ? await podLogTail(kubectl, namespace, bad.pod.metadata.name) : '';
  return new KxError(
    `the copy Job job/${name} in namespace "${namespace}" did not copy the collection: ${bad.pod ? `pod/${bad.pod.metadata.name} ${podState(bad.pod)}` : 'no pod'}${msg ? `: ${msg}` : ''}` +
      (bad.state === 'failed'
        ? ` (Job failed: ${bad.job.status?.conditions?.find((c) => c.type === 'Failed')?.reason ?? 'Failed'})`
        : ' (the collection image cannot be pulled: push it, or check the collection tag kube-helm was deployed with)') +
      (logs ? `\n  its log:\n    ${logs.split('\n').join('\n    ')}` : ''),
  );
}

/**
 * Waits until a Job with `prefix` that is not in `before` exists in `namespace` and has completed.
 * Fails (KxError naming the Job, its pod and the pod's state) when it failed, when its pod cannot
 * pull its image because the image does not exist, or when `deadline` passes.
 */
export async function waitForNewCopyJob(
  kubectl: Kubectl,
  opts: {
    namespace: string;
    prefix: string;
    before: Set<string>;
    deadline: number;
    pollMs: number;
    log: (line: string) => void;
  },
): Promise<FinishedCopyJob> {
  let last = '';
  for (;;) {
    const states = await newJobs(kubectl, opts.namespace, opts.prefix, opts.before);
    const report =
      states.length > 0
        ? states.map((s) => s.text).join('; ')
        : `no new ${opts.prefix}… Job in namespace "${opts.namespace}" yet`;
    // With several collections (KAAPANA_COLLECTIONS) every new Job must complete.
    const bad = states.find((s) => s.state === 'failed' || (s.pod && hopelessPull(s.pod)));
    if (bad) throw await copyJobFailure(kubectl, opts.namespace, bad);
    if (states.length > 0 && states.every((s) => s.state === 'complete')) {
      const last = states.at(-1)!;
      return {
        job: last.job.metadata.name,
        ...(last.pod ? { pod: last.pod.metadata.name, podState: podState(last.pod) } : {}),
      };
    }
    if (report !== last) {
      opts.log(`waiting: ${report}`);
      last = report;
    }
    if (Date.now() + opts.pollMs > opts.deadline) {
      throw new KubectlError(
        `timed out waiting for the new copy Job to complete; last seen: ${report}`,
        'timeout',
        `kubectl get jobs --namespace ${opts.namespace}`,
        '',
        null,
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
}
