// The few fields of Kubernetes objects the restart strategies read (pods, workloads, lists), and
// small predicates on them: ready, succeeded, controller, terminating. Not a client library.

export interface OwnerReference {
  apiVersion?: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
}

export interface Pod {
  metadata: ObjectMeta;
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      ready?: boolean;
      state?: Record<string, { reason?: string; message?: string }>;
    }>;
  };
}

export interface Workload {
  kind?: string;
  metadata: ObjectMeta;
  spec?: { selector?: { matchLabels?: Record<string, string> } };
}

export interface List<T> {
  items: T[];
}

export function isPodReady(pod: Pod): boolean {
  return (
    pod.status?.phase === 'Running' &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

export function isPodSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined;
}

export function controllerOf(pod: Pod): OwnerReference | undefined {
  return (pod.metadata.ownerReferences ?? []).find((o) => o.controller === true);
}

/** `Running`, `Running, not ready`, `Pending (ImagePullBackOff)`, … for progress and error messages. */
export function podState(pod: Pod): string {
  const phase = pod.status?.phase ?? 'Unknown';
  if (isTerminating(pod)) return `${phase}, terminating`;
  const waiting = (pod.status?.containerStatuses ?? [])
    .map((c) => c.state?.['waiting']?.reason ?? c.state?.['terminated']?.reason)
    .filter((r): r is string => Boolean(r));
  if (phase === 'Running' && !isPodReady(pod))
    return `Running, not ready${waiting.length ? ` (${waiting.join(', ')})` : ''}`;
  return waiting.length ? `${phase} (${waiting.join(', ')})` : phase;
}

/** `a=b,c=d` from matchLabels. */
export function selectorOf(matchLabels: Record<string, string>): string {
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
