// Strategy `delete-pods` (Kaapana 0.1.x): delete the pods a label selector matches and wait until
// their controllers (Job, ReplicaSet, StatefulSet, DaemonSet) have replaced each of them with a pod
// that is Ready or has Succeeded. Refuses to delete a pod that has no controller, since nothing would
// bring it back.
import { KxError } from '../errors/index.js';
import { KubectlError } from './kubectl-errors.js';
import { controllerOf, isPodReady, isPodSucceeded, isTerminating, podState, type List, type Pod } from './objects.js';
import type { RestartResult, StrategyContext } from './restart-types.js';
import { kubectlDuration } from './duration.js';

/** Pods of the 0.1.x job that copies the collection's charts into the platform. */
export const DEFAULT_COLLECTION_SELECTOR = 'job-name=copy-kube-helm-collections';

export interface DeletePodsOptions {
  selector: string;
}

export async function deletePods(ctx: StrategyContext, opts: DeletePodsOptions): Promise<RestartResult> {
  const { kubectl, log } = ctx;
  const ns = kubectl.namespace;
  const where = `namespace "${ns ?? '(from context)'}"`;
  const listArgs = ['get', 'pods', '--selector', opts.selector, '--output', 'json'];
  const result: RestartResult = { strategy: 'delete-pods', dryRun: kubectl.dryRun, resources: [], pods: [], commands: kubectl.history, ...(ns ? { namespace: ns } : {}) };

  if (kubectl.dryRun) {
    await kubectl.run(listArgs);
    await kubectl.run(['delete', 'pods', '--selector', opts.selector, '--wait=false']);
    log(`[dry-run] then poll \`${kubectl.commandLine(listArgs)}\` for up to ${kubectlDuration(ctx.timeoutMs)} until each deleted pod is replaced by one that is Ready or Succeeded`);
    result.resources.push({ kind: 'Pod', name: `-l ${opts.selector}`, ...(ns ? { namespace: ns } : {}), action: 'would delete' });
    return result;
  }

  const before = (await kubectl.json<List<Pod>>(listArgs)).items.filter((p) => !isTerminating(p));
  if (before.length === 0) {
    throw new KxError(`no pod matched selector "${opts.selector}" in ${where}; nothing was deleted (check the selector and namespace inputs)`);
  }
  const orphans = before.filter((p) => !controllerOf(p));
  if (orphans.length > 0) {
    throw new KxError(
      `refusing to delete ${orphans.map((p) => `pod/${p.metadata.name}`).join(', ')}: no controller owns ${orphans.length === 1 ? 'it' : 'them'}, so nothing would start a replacement; narrow the selector`,
    );
  }

  // Deleted pods per controller: each controller must bring back as many finished-or-ready pods.
  const wanted = new Map<string, { owner: string; count: number }>();
  const oldUids = new Set<string>();
  for (const pod of before) {
    const owner = controllerOf(pod)!;
    const entry = wanted.get(owner.uid) ?? { owner: `${owner.kind}/${owner.name}`, count: 0 };
    entry.count++;
    wanted.set(owner.uid, entry);
    oldUids.add(pod.metadata.uid ?? pod.metadata.name);
    log(`deleting pod/${pod.metadata.name} (${podState(pod)}, owned by ${entry.owner})`);
    result.resources.push({ kind: 'Pod', name: pod.metadata.name, ...(ns ? { namespace: ns } : {}), action: 'deleted' });
  }
  await kubectl.run(['delete', 'pods', ...before.map((p) => p.metadata.name), '--wait=false', '--ignore-not-found'], { echo: true });

  const deadline = Date.now() + ctx.timeoutMs;
  const pollMs = ctx.pollMs ?? 2000;
  let lastReport = '';
  for (;;) {
    const now = (await kubectl.json<List<Pod>>(listArgs, { quiet: true })).items;
    const fresh = now.filter((p) => !oldUids.has(p.metadata.uid ?? p.metadata.name) && !isTerminating(p));
    const done = new Map<string, Pod[]>();
    for (const pod of fresh) {
      const owner = controllerOf(pod);
      if (!owner || !wanted.has(owner.uid) || !(isPodReady(pod) || isPodSucceeded(pod))) continue;
      done.set(owner.uid, [...(done.get(owner.uid) ?? []), pod]);
    }
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
        `timed out after ${kubectlDuration(ctx.timeoutMs)} waiting for replacement pods of ${missing.map(([, w]) => w.owner).join(', ')} in ${where} to be Ready or Succeeded; last seen: ${report}`,
        'timeout',
        kubectl.commandLine(listArgs),
        '',
        null,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
