// A small fake Kubernetes API server for tests and the demo: HTTPS on 127.0.0.1 with a self-signed
// certificate (subjectAltName IP:127.0.0.1) and bearer-token auth, serving what the real kubectl needs
// for the restart strategies: discovery, version, list/get/watch/delete of pods, get/list/watch/patch
// of deployments, daemonsets and statefulsets, jobs, services and the service proxy. Tiny
// "controllers" recreate pods of workloads, run Jobs as Kubernetes' job controller does (a finished
// Job never starts another pod; a deleted unfinished pod counts as failed against backoffLimit), roll
// workloads after a template patch, and make new pods Ready (or Succeeded, for jobs) after
// `readyMs`, never, or fail them, as the test chooses.
// Faults can be injected: 401 (wrong token), 403 (deny rules), transient 5xx (failNext).
// Plain JavaScript (with fake-api-server.d.mts for types) so scripts/demo.mjs can import it too.
// It is not a Kubernetes: no admission, no RBAC beyond the deny rules, merge patches only.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resources served, by plural name. */
const RESOURCES = {
  pods: { group: '', version: 'v1', kind: 'Pod', shortNames: ['po'] },
  services: { group: '', version: 'v1', kind: 'Service', shortNames: ['svc'] },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', shortNames: ['deploy'] },
  daemonsets: { group: 'apps', version: 'v1', kind: 'DaemonSet', shortNames: ['ds'] },
  statefulsets: { group: 'apps', version: 'v1', kind: 'StatefulSet', shortNames: ['sts'] },
  replicasets: { group: 'apps', version: 'v1', kind: 'ReplicaSet', shortNames: ['rs'] },
  jobs: { group: 'batch', version: 'v1', kind: 'Job', shortNames: [] },
};
const WORKLOADS = new Set(['deployments', 'daemonsets', 'statefulsets']);
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Self-signed certificate valid for 127.0.0.1, ::1 and localhost, made with the openssl CLI. */
export function makeSelfSignedCert() {
  const dir = mkdtempSync(join(tmpdir(), 'kx-fake-kube-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=kaapana-ext-fake-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,digitalSignature,keyCertSign',
        '-addext',
        'extendedKeyUsage=serverAuth',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function suffix(n = 5) {
  const b = randomBytes(n);
  return [...b].map((x) => NAME_CHARS[x % NAME_CHARS.length]).join('');
}

function templateHash(template) {
  return createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest('hex')
    .slice(0, 10);
}

function clone(o) {
  return JSON.parse(JSON.stringify(o));
}

/** RFC 7386 merge patch (what strategic merge patch reduces to for maps, e.g. annotations). */
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // strategic-merge directives
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Label selector: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-joined. */
export function parseLabelSelector(text) {
  const reqs = [];
  const s = (text ?? '').trim();
  if (!s) return () => true;
  const parts = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    let m;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const vals = m[3].split(',').map((v) => v.trim());
      const [key, op] = [m[1], m[2]];
      reqs.push((l) => (op === 'in' ? key in l && vals.includes(l[key]) : !(key in l) || !vals.includes(l[key])));
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(p))) {
      const [key, op, val] = [m[1], m[2], m[3]];
      reqs.push((l) => (op === '!=' ? l[key] !== val : l[key] === val));
    } else if ((m = /^!([\w./-]+)$/.exec(p))) {
      const key = m[1];
      reqs.push((l) => !(key in l));
    } else if ((m = /^([\w./-]+)$/.exec(p))) {
      const key = m[1];
      reqs.push((l) => key in l);
    } else {
      throw new Error(`unable to parse requirement: ${p}`);
    }
  }
  return (labels) => reqs.every((r) => r(labels ?? {}));
}

function parseFieldSelector(text) {
  const s = (text ?? '').trim();
  if (!s) return () => true;
  const reqs = s.split(',').map((p) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(p.trim());
    if (!m) throw new Error(`invalid field selector: ${p}`);
    const path = m[1].split('.');
    return (obj) => {
      let v = obj;
      for (const k of path) v = v?.[k];
      const eq = String(v ?? '') === m[3];
      return m[2] === '!=' ? !eq : eq;
    };
  });
  return (obj) => reqs.every((r) => r(obj));
}

function status(code, reason, message, details) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/**
 * Starts the fake API server. Options: `token`, `tls` (default true), `readyMs` (delay before a new
 * pod becomes Ready/Succeeded, default 300), `podBehavior` ('ready' | 'never' | 'fail', default
 * 'ready'), `gracePeriodMs` (how long a deleted pod stays Terminating, default 0), `port`.
 */
export async function startFakeKubeApi(options = {}) {
  const token = options.token ?? randomBytes(24).toString('hex');
  const tls = options.tls ?? true;
  const creds = tls ? makeSelfSignedCert() : undefined;
  const store = new Map(); // `${resource}/${ns}/${name}` -> object
  const history = []; // { rv, resource, type, object }
  const watchers = new Set();
  const timers = new Set();
  const denyRules = [];
  const failures = [];
  const requests = [];
  const workloadBehavior = new Map(); // `${resource}/${ns}/${name}` -> behavior
  const replicaSets = new Map(); // deployment key -> Map(hash -> {name, uid})
  let rv = 1;
  let reconcileQueued = false;
  let closed = false;
  const state = {
    readyMs: options.readyMs ?? 300,
    podBehavior: options.podBehavior ?? 'ready',
    gracePeriodMs: options.gracePeriodMs ?? 0,
  };

  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  // ---- store ---------------------------------------------------------------------------------
  const keyOf = (resource, ns, name) => `${resource}/${ns ?? ''}/${name}`;
  const list = (resource, ns) =>
    [...store.entries()]
      .filter(([k]) => k.startsWith(`${resource}/`) && (ns === undefined || k.startsWith(`${resource}/${ns}/`)))
      .map(([, o]) => o);

  function emit(resource, type, obj) {
    const ev = { rv, resource, type, object: clone(obj) };
    history.push(ev);
    for (const w of watchers) w(ev);
  }

  function put(resource, obj, type) {
    const info = RESOURCES[resource];
    obj.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    obj.kind = info.kind;
    obj.metadata.resourceVersion = String(++rv);
    const k = keyOf(resource, obj.metadata.namespace, obj.metadata.name);
    const existed = store.has(k);
    store.set(k, obj);
    emit(resource, type ?? (existed ? 'MODIFIED' : 'ADDED'), obj);
    scheduleReconcile();
    return obj;
  }

  function remove(resource, ns, name) {
    const k = keyOf(resource, ns, name);
    const obj = store.get(k);
    if (!obj) return undefined;
    store.delete(k);
    obj.metadata.resourceVersion = String(++rv);
    emit(resource, 'DELETED', obj);
    scheduleReconcile();
    return obj;
  }

  function newMeta(ns, name, labels, extra = {}) {
    return {
      name,
      namespace: ns,
      uid: randomUUID(),
      labels: { ...(labels ?? {}) },
      creationTimestamp: new Date().toISOString(),
      ...extra,
    };
  }

  // ---- pods ----------------------------------------------------------------------------------
  function podStatus(kind, phaseOrState) {
    const now = new Date().toISOString();
    switch (phaseOrState) {
      case 'Pending':
        return {
          phase: 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'False' },
          ],
          containerStatuses: [{ name: 'main', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }],
        };
      case 'Ready':
        return {
          phase: 'Running',
          startTime: now,
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
          containerStatuses: [{ name: 'main', ready: true, state: { running: { startedAt: now } } }],
        };
      case 'NotReady':
        return {
          phase: 'Running',
          startTime: now,
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [{ name: 'main', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
        };
      case 'Succeeded':
        return {
          phase: 'Succeeded',
          conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted' }],
          containerStatuses: [
            { name: 'main', ready: false, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          ],
        };
      case 'Failed':
        return {
          phase: 'Failed',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [{ name: 'main', ready: false, state: { terminated: { reason: 'Error', exitCode: 1 } } }],
        };
      default:
        throw new Error(`unknown pod state ${phaseOrState} for ${kind}`);
    }
  }

  function createPod(ns, name, labels, owner, settled, behavior, isJob) {
    const meta = newMeta(ns, name, labels);
    if (owner)
      meta.ownerReferences = [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ];
    const pod = {
      metadata: meta,
      spec: { containers: [{ name: 'main', image: 'fake' }], restartPolicy: isJob ? 'Never' : 'Always' },
      status: podStatus('Pod', settled ? (isJob ? 'Succeeded' : 'Ready') : 'Pending'),
    };
    put('pods', pod);
    if (!settled) {
      const b = behavior ?? state.podBehavior;
      if (b !== 'never') {
        later(state.readyMs, () => {
          const cur = store.get(keyOf('pods', ns, name));
          if (!cur || cur.metadata.uid !== meta.uid || cur.metadata.deletionTimestamp) return;
          cur.status = podStatus('Pod', b === 'fail' ? (isJob ? 'Failed' : 'NotReady') : isJob ? 'Succeeded' : 'Ready');
          put('pods', cur);
        });
      }
    }
    return pod;
  }

  function setPodState(ns, name, st) {
    const pod = store.get(keyOf('pods', ns, name));
    if (!pod) throw new Error(`no pod ${ns}/${name}`);
    pod.status = podStatus('Pod', st);
    put('pods', pod);
  }

  function deletePod(ns, name) {
    const pod = store.get(keyOf('pods', ns, name));
    if (!pod) return undefined;
    if (!pod.metadata.deletionTimestamp) notePodGone(pod);
    if (state.gracePeriodMs > 0) {
      if (!pod.metadata.deletionTimestamp) {
        pod.metadata.deletionTimestamp = new Date().toISOString();
        pod.metadata.deletionGracePeriodSeconds = Math.ceil(state.gracePeriodMs / 1000);
        put('pods', pod);
        const uid = pod.metadata.uid;
        later(state.gracePeriodMs, () => {
          if (store.get(keyOf('pods', ns, name))?.metadata.uid === uid) remove('pods', ns, name);
        });
      }
      return pod;
    }
    return remove('pods', ns, name);
  }

  const ownedBy = (ns, uid) =>
    list('pods', ns).filter((p) => (p.metadata.ownerReferences ?? []).some((o) => o.uid === uid && o.controller));
  const live = (pods) => pods.filter((p) => !p.metadata.deletionTimestamp);
  const isReady = (p) =>
    p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

  // ---- controllers ---------------------------------------------------------------------------
  function scheduleReconcile() {
    if (reconcileQueued || closed) return;
    reconcileQueued = true;
    setImmediate(() => {
      reconcileQueued = false;
      if (!closed) reconcile();
    });
  }

  function setStatus(resource, obj, newStatus) {
    if (JSON.stringify(obj.status ?? {}) === JSON.stringify(newStatus)) return;
    obj.status = newStatus;
    put(resource, obj);
  }

  function reconcile() {
    for (const job of list('jobs')) reconcileJob(job);
    for (const d of list('deployments')) reconcileDeployment(d);
    for (const ds of list('daemonsets')) reconcileDaemonSet(ds);
    for (const sts of list('statefulsets')) reconcileStatefulSet(sts);
  }

  function behaviorOf(resource, obj) {
    return workloadBehavior.get(keyOf(resource, obj.metadata.namespace, obj.metadata.name));
  }

  function reconcileJob(job) {
    return reconcileKubeJob(job);
  }

  // ---- Jobs as Kubernetes runs them (createJob) ----------------------------------------------
  // Kubernetes' job controller (pkg/controller/job/job_controller.go): a pod deleted before it
  // succeeded counts as failed (isPodFailed: "Count deleted Pods as failures"); once failures
  // exceed spec.backoffLimit the Job gets the Failed condition (BackoffLimitExceeded) and no new
  // pod; once a pod succeeded the Job is Complete; a finished Job never starts another pod, whatever
  // happens to its pods. The pod's container is "run" by the creator's `run(control)` callback.
  const jobFinished = (job) =>
    (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

  function podWaiting(reason, message, image) {
    return {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
      ],
      containerStatuses: [
        {
          name: 'main',
          image,
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: { waiting: { reason, ...(message ? { message } : {}) } },
        },
      ],
    };
  }

  function startJobPod(job) {
    const ns = job.metadata.namespace;
    const name = job.metadata.name;
    const container = job.spec.template.spec.containers[0];
    const labels = {
      ...(job.spec.template?.metadata?.labels ?? {}),
      'job-name': name,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': job.metadata.uid,
      'batch.kubernetes.io/controller-uid': job.metadata.uid,
    };
    const podName = `${name}-${suffix()}`;
    const meta = newMeta(ns, podName, labels);
    meta.ownerReferences = [
      { apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true },
    ];
    const pod = {
      metadata: meta,
      spec: clone(job.spec.template.spec),
      status: podWaiting('ContainerCreating', undefined, container.image),
    };
    put('pods', pod);
    const uid = meta.uid;
    const current = () => {
      const p = store.get(keyOf('pods', ns, podName));
      return p && p.metadata.uid === uid && !p.metadata.deletionTimestamp && !closed ? p : undefined;
    };
    const control = {
      namespace: ns,
      pod: podName,
      job: name,
      image: container.image,
      imagePullPolicy: container.imagePullPolicy,
      env: Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value])),
      /** False once the pod is gone (deleted) or the server closed. */
      get alive() {
        return current() !== undefined;
      },
      log(line) {
        const p = current();
        if (p) (p._log ??= []).push(line);
      },
      waiting(reason, message) {
        const p = current();
        if (!p) return;
        p.status = podWaiting(reason, message, container.image);
        put('pods', p);
      },
      running() {
        const p = current();
        if (!p) return;
        const now = new Date().toISOString();
        p.status = {
          phase: 'Running',
          startTime: now,
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
          containerStatuses: [
            {
              name: 'main',
              image: container.image,
              imageID: `${container.image}@sha256:fake`,
              ready: true,
              restartCount: 0,
              started: true,
              state: { running: { startedAt: now } },
            },
          ],
        };
        put('pods', p);
      },
      exit(code, reason = code === 0 ? 'Completed' : 'Error') {
        const p = current();
        if (!p) return;
        const now = new Date().toISOString();
        p.status = {
          phase: code === 0 ? 'Succeeded' : 'Failed',
          startTime: p.status.startTime ?? now,
          conditions: [
            { type: 'PodScheduled', status: 'True' },
            { type: 'Ready', status: 'False', reason: code === 0 ? 'PodCompleted' : 'PodFailed' },
          ],
          containerStatuses: [
            {
              name: 'main',
              image: container.image,
              imageID: `${container.image}@sha256:fake`,
              ready: false,
              restartCount: 0,
              started: false,
              state: { terminated: { reason, exitCode: code, finishedAt: now } },
            },
          ],
        };
        put('pods', p);
      },
      later,
    };
    setImmediate(() => {
      if (!closed) Promise.resolve(job._run(control)).catch((e) => control.log(`fake kubelet: ${e?.stack ?? e}`));
    });
  }

  function reconcileKubeJob(job) {
    const ns = job.metadata.namespace;
    const pods = ownedBy(ns, job.metadata.uid);
    const livePods = live(pods);
    const succeeded = (job._succeededGone ?? 0) + pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed = (job._failedGone ?? 0) + pods.filter((p) => p.status?.phase === 'Failed').length;
    const active = livePods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
    const finished = jobFinished(job);
    const conditions = [...(job.status?.conditions ?? [])];
    const now = new Date().toISOString();
    if (!finished && succeeded > 0) {
      conditions.push(
        { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now },
        { type: 'Complete', status: 'True', lastTransitionTime: now },
      );
    } else if (!finished && failed > (job.spec.backoffLimit ?? 6)) {
      conditions.push({
        type: 'FailureTarget',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
        lastTransitionTime: now,
      });
      conditions.push({
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
        lastTransitionTime: now,
      });
      for (const p of livePods)
        if (p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') deletePod(ns, p.metadata.name);
    } else if (!finished && active === 0) {
      startJobPod(job);
      return;
    }
    const complete = conditions.some((c) => c.type === 'Complete' && c.status === 'True');
    setStatus('jobs', job, {
      ...(job.status?.startTime ? { startTime: job.status.startTime } : { startTime: job.metadata.creationTimestamp }),
      ...(complete ? { completionTime: job.status?.completionTime ?? now } : {}),
      active: jobFinished({ status: { conditions } }) ? 0 : active,
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      ready: 0,
      ...(conditions.length ? { conditions } : {}),
    });
  }

  /** A pod of a createJob Job goes away: remember how it ended (the controller's counters). */
  function notePodGone(pod) {
    const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.controller && o.kind === 'Job');
    if (!owner) return;
    const job = list('jobs', pod.metadata.namespace).find((j) => j.metadata.uid === owner.uid);
    if (!job) return;
    if (pod.status?.phase === 'Succeeded') job._succeededGone = (job._succeededGone ?? 0) + 1;
    else job._failedGone = (job._failedGone ?? 0) + 1;
  }

  function podLabels(obj, extra) {
    return { ...(obj.spec.template?.metadata?.labels ?? obj.spec.selector?.matchLabels ?? {}), ...extra };
  }

  function reconcileDeployment(d) {
    const ns = d.metadata.namespace;
    const dkey = keyOf('deployments', ns, d.metadata.name);
    const hash = templateHash(d.spec.template);
    const sets = replicaSets.get(dkey) ?? new Map();
    replicaSets.set(dkey, sets);
    if (!sets.has(hash)) sets.set(hash, { name: `${d.metadata.name}-${hash}`, uid: randomUUID() });
    const rs = sets.get(hash);
    const replicas = d.spec.replicas ?? 1;
    const allPods = [...sets.values()].flatMap((s) => live(ownedBy(ns, s.uid)));
    const updated = live(ownedBy(ns, rs.uid));
    const old = allPods.filter((p) => !updated.includes(p));
    for (let i = updated.length; i < replicas; i++) {
      createPod(
        ns,
        `${rs.name}-${suffix()}`,
        podLabels(d, { 'pod-template-hash': hash }),
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.name, uid: rs.uid },
        false,
        behaviorOf('deployments', d),
        false,
      );
    }
    const updatedReady = updated.filter(isReady).length;
    if (updatedReady >= replicas) for (const p of old) deletePod(ns, p.metadata.name);
    const available = allPods.filter(isReady).length;
    setStatus('deployments', d, {
      observedGeneration: d.metadata.generation,
      replicas: allPods.length,
      updatedReplicas: updated.length,
      readyReplicas: available,
      availableReplicas: available,
      ...(allPods.length - available > 0 ? { unavailableReplicas: allPods.length - available } : {}),
      conditions: [
        { type: 'Available', status: available >= replicas ? 'True' : 'False', reason: 'MinimumReplicasAvailable' },
        {
          type: 'Progressing',
          status: 'True',
          reason: updatedReady >= replicas && old.length === 0 ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
        },
      ],
    });
  }

  function reconcileDaemonSet(ds) {
    const ns = ds.metadata.namespace;
    const hash = templateHash(ds.spec.template);
    const desired = 1; // one node
    const pods = live(ownedBy(ns, ds.metadata.uid));
    const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash);
    if (updated.length === 0) {
      // maxUnavailable 1 on one node: the old pod goes, the new one is created.
      for (const p of pods) deletePod(ns, p.metadata.name);
      createPod(
        ns,
        `${ds.metadata.name}-${suffix()}`,
        podLabels(ds, { 'controller-revision-hash': hash }),
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid },
        false,
        behaviorOf('daemonsets', ds),
        false,
      );
    }
    const now = live(ownedBy(ns, ds.metadata.uid));
    const upd = now.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash);
    const ready = now.filter(isReady).length;
    setStatus('daemonsets', ds, {
      observedGeneration: ds.metadata.generation,
      desiredNumberScheduled: desired,
      currentNumberScheduled: now.length,
      updatedNumberScheduled: upd.length,
      numberReady: ready,
      numberAvailable: upd.filter(isReady).length,
      numberMisscheduled: 0,
    });
  }

  function reconcileStatefulSet(sts) {
    const ns = sts.metadata.namespace;
    const hash = templateHash(sts.spec.template);
    const rev = `${sts.metadata.name}-${hash}`;
    const replicas = sts.spec.replicas ?? 1;
    const pods = live(ownedBy(ns, sts.metadata.uid));
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    for (let i = 0; i < replicas; i++) {
      const name = `${sts.metadata.name}-${i}`;
      if (!byName.has(name) && !store.has(keyOf('pods', ns, name))) {
        createPod(
          ns,
          name,
          podLabels(sts, { 'controller-revision-hash': rev, 'statefulset.kubernetes.io/pod-name': name }),
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata.name, uid: sts.metadata.uid },
          false,
          behaviorOf('statefulsets', sts),
          false,
        );
        break; // one at a time, in order
      }
    }
    // Rolling update, highest ordinal first, one pod at a time once all others are ready.
    const stale = pods
      .filter((p) => p.metadata.labels?.['controller-revision-hash'] !== rev)
      .sort((a, b) => b.metadata.name.localeCompare(a.metadata.name));
    if (stale.length > 0 && pods.length >= replicas && pods.every(isReady)) deletePod(ns, stale[0].metadata.name);
    const now = live(ownedBy(ns, sts.metadata.uid));
    const updated = now.filter((p) => p.metadata.labels?.['controller-revision-hash'] === rev);
    const ready = now.filter(isReady).length;
    const done = updated.length === replicas && updated.every(isReady);
    const prevCurrent = sts.status?.currentRevision ?? rev;
    setStatus('statefulsets', sts, {
      observedGeneration: sts.metadata.generation,
      replicas: now.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: done ? replicas : now.length - updated.length,
      updatedReplicas: updated.length,
      currentRevision: done ? rev : prevCurrent,
      updateRevision: rev,
    });
  }

  // ---- seeding API ---------------------------------------------------------------------------
  function seedWorkload(resource, spec) {
    const ns = spec.namespace ?? 'default';
    const matchLabels = spec.matchLabels ?? spec.labels ?? { app: spec.name };
    const obj = {
      metadata: newMeta(ns, spec.name, spec.labels ?? matchLabels, { generation: 1 }),
      spec: {
        ...(resource === 'daemonsets' ? {} : { replicas: spec.replicas ?? 1 }),
        selector: { matchLabels },
        template: {
          metadata: { labels: { ...matchLabels } },
          spec: { containers: [{ name: 'main', image: spec.image ?? 'fake:1' }] },
        },
        ...(resource === 'deployments'
          ? { strategy: { type: 'RollingUpdate' } }
          : { updateStrategy: { type: 'RollingUpdate' } }),
        ...(resource === 'statefulsets' ? { serviceName: spec.name } : {}),
      },
      status: {},
    };
    if (spec.podBehavior) workloadBehavior.set(keyOf(resource, ns, spec.name), spec.podBehavior);
    put(resource, obj);
    // Initial pods start settled: the platform is already running.
    const hash = templateHash(obj.spec.template);
    const n = resource === 'daemonsets' ? 1 : obj.spec.replicas;
    for (let i = 0; i < n; i++) {
      if (resource === 'deployments') {
        const dkey = keyOf(resource, ns, spec.name);
        const sets = replicaSets.get(dkey) ?? new Map();
        replicaSets.set(dkey, sets);
        if (!sets.has(hash)) sets.set(hash, { name: `${spec.name}-${hash}`, uid: randomUUID() });
        const rs = sets.get(hash);
        createPod(
          ns,
          `${rs.name}-${suffix()}`,
          podLabels(obj, { 'pod-template-hash': hash }),
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.name, uid: rs.uid },
          true,
          undefined,
          false,
        );
      } else if (resource === 'statefulsets') {
        const name = `${spec.name}-${i}`;
        createPod(
          ns,
          name,
          podLabels(obj, {
            'controller-revision-hash': `${spec.name}-${hash}`,
            'statefulset.kubernetes.io/pod-name': name,
          }),
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: spec.name, uid: obj.metadata.uid },
          true,
          undefined,
          false,
        );
      } else {
        createPod(
          ns,
          `${spec.name}-${suffix()}`,
          podLabels(obj, { 'controller-revision-hash': hash }),
          { apiVersion: 'apps/v1', kind: 'DaemonSet', name: spec.name, uid: obj.metadata.uid },
          true,
          undefined,
          false,
        );
      }
    }
    return clone(obj);
  }

  const api = {
    token,
    caPem: creds?.cert,
    url: '',
    requests,
    get readyMs() {
      return state.readyMs;
    },
    set readyMs(v) {
      state.readyMs = v;
    },
    get podBehavior() {
      return state.podBehavior;
    },
    set podBehavior(v) {
      state.podBehavior = v;
    },
    get gracePeriodMs() {
      return state.gracePeriodMs;
    },
    set gracePeriodMs(v) {
      state.gracePeriodMs = v;
    },
    seedDeployment: (spec) => seedWorkload('deployments', spec),
    seedDaemonSet: (spec) => seedWorkload('daemonsets', spec),
    seedStatefulSet: (spec) => seedWorkload('statefulsets', spec),
    createJob(spec) {
      const ns = spec.namespace ?? 'default';
      if (store.has(keyOf('jobs', ns, spec.name))) throw new Error(`jobs.batch "${spec.name}" already exists`);
      const job = {
        metadata: newMeta(ns, spec.name, spec.labels ?? {}, {
          generation: 1,
          ...(spec.annotations ? { annotations: { ...spec.annotations } } : {}),
        }),
        spec: {
          completions: 1,
          parallelism: 1,
          backoffLimit: spec.backoffLimit ?? 6,
          template: {
            metadata: { labels: { ...(spec.podLabels ?? {}) } },
            spec: {
              restartPolicy: spec.restartPolicy ?? 'Never',
              containers: [
                {
                  name: spec.containerName ?? spec.name,
                  image: spec.image,
                  imagePullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
                  env: Object.entries(spec.env ?? {}).map(([name, value]) => ({ name, value })),
                },
              ],
              ...(spec.volumes ? { volumes: spec.volumes } : {}),
            },
          },
        },
        status: {},
      };
      Object.defineProperty(job, '_run', { value: spec.run, enumerable: true, writable: true });
      put('jobs', job);
      return clone(strip(job));
    },
    deleteJob(ns, name) {
      const job = store.get(keyOf('jobs', ns, name));
      if (!job) return false;
      remove('jobs', ns, name);
      // Background propagation (what helm uninstall asks for): the Job's pods go too.
      for (const p of ownedBy(ns, job.metadata.uid)) remove('pods', ns, p.metadata.name);
      return true;
    },
    podLog(ns, name) {
      return [...(store.get(keyOf('pods', ns, name))?._log ?? [])];
    },
    seedJob(spec) {
      const ns = spec.namespace ?? 'default';
      const job = {
        metadata: newMeta(ns, spec.name, spec.labels ?? {}),
        spec: {
          completions: 1,
          parallelism: 1,
          backoffLimit: spec.backoffLimit ?? 6,
          template: {
            metadata: { labels: { ...(spec.podLabels ?? {}) } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: spec.image ?? 'fake:1' }] },
          },
        },
        status: {},
      };
      // Pods the job controller starts later behave as spec.podBehavior / the server's podBehavior says.
      job._run = (pod) => {
        const b = workloadBehavior.get(keyOf('jobs', ns, spec.name)) ?? spec.podBehavior ?? state.podBehavior;
        if (b === 'never') return;
        pod.later(state.readyMs, () => pod.exit(b === 'fail' ? 1 : 0));
      };
      put('jobs', job);
      const labels = {
        ...(spec.podLabels ?? {}),
        'job-name': spec.name,
        'batch.kubernetes.io/job-name': spec.name,
        'controller-uid': job.metadata.uid,
        'batch.kubernetes.io/controller-uid': job.metadata.uid,
      };
      createPod(
        ns,
        `${spec.name}-${suffix()}`,
        labels,
        { apiVersion: 'batch/v1', kind: 'Job', name: spec.name, uid: job.metadata.uid },
        spec.completed ?? true,
        spec.podBehavior,
        true,
      );
      return clone(strip(job));
    },
    seedPod(spec) {
      const ns = spec.namespace ?? 'default';
      const pod = createPod(ns, spec.name, spec.labels ?? {}, spec.owner, true, undefined, spec.phase === 'Succeeded');
      if (spec.phase && spec.phase !== 'Running' && spec.phase !== 'Succeeded') setPodState(ns, spec.name, spec.phase);
      return clone(pod);
    },
    seedService(spec) {
      const ns = spec.namespace ?? 'default';
      const ports = spec.ports ?? [{ name: 'http', port: spec.port ?? 80, protocol: 'TCP' }];
      const svc = {
        metadata: newMeta(ns, spec.name, spec.labels ?? {}),
        spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports, selector: spec.selector ?? {} },
      };
      svc._backend = { handler: spec.handler, target: spec.target, endpoints: spec.endpoints ?? true };
      put('services', svc);
      return clone(svc);
    },
    setPodBehavior(resource, ns, name, behavior) {
      workloadBehavior.set(keyOf(resource, ns, name), behavior);
    },
    markReady: (ns, name) => setPodState(ns, name, 'Ready'),
    markSucceeded: (ns, name) => setPodState(ns, name, 'Succeeded'),
    markFailed: (ns, name) => setPodState(ns, name, 'Failed'),
    /** Current objects of a resource (plural), optionally in one namespace. */
    list: (resource, ns) => clone(list(resource, ns).map(strip)),
    get: (resource, ns, name) => {
      const o = store.get(keyOf(resource, ns, name));
      return o ? clone(strip(o)) : undefined;
    },
    /** Answer 403 to `verb` on `resource` (plural, `services/proxy` for the proxy), optionally in one namespace. */
    deny(rule) {
      denyRules.push(rule);
    },
    /** The next `count` requests matching `method`/`path` (a RegExp) fail with `status` (default 503). */
    failNext(rule) {
      failures.push({ count: rule.count ?? 1, status: rule.status ?? 503, method: rule.method, path: rule.path });
    },
    kubeconfig(o = {}) {
      const ca = creds ? `    certificate-authority-data: ${Buffer.from(creds.cert).toString('base64')}\n` : '';
      return (
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: fake',
          '  cluster:',
          `    server: ${o.server ?? api.url}`,
          ca.trimEnd(),
          'users:',
          '- name: ci',
          '  user:',
          `    token: ${o.token ?? token}`,
          'contexts:',
          `- name: ${o.context ?? 'fake'}`,
          '  context:',
          '    cluster: fake',
          '    user: ci',
          `    namespace: ${o.namespace ?? 'default'}`,
          `current-context: ${o.context ?? 'fake'}`,
          '',
        ]
          .filter((l) => l !== '')
          .join('\n') + '\n'
      );
    },
    writeKubeconfig(path, o = {}) {
      writeFileSync(path, api.kubeconfig(o), { mode: 0o600 });
      return path;
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const w of watchers) w.end?.();
      watchers.clear();
      const closing = new Promise((r) => server.close(() => r()));
      for (const sock of sockets) sock.destroy();
      await closing;
    },
  };

  /** The object without the fake server's internal `_…` fields. */
  function strip(o) {
    return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('_')));
  }

  // ---- HTTP ----------------------------------------------------------------------------------
  const handler = (req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, status(500, 'InternalError', `fake apiserver bug: ${e?.message ?? e}`));
      else res.end();
    });
  };
  // HTTP/2 over TLS (with HTTP/1.1 fallback), like a real API server: kubectl then multiplexes its
  // watches on one connection and can cancel a watch stream without closing the connection.
  const server = tls
    ? createSecureServer({ cert: creds.cert, key: creds.key, allowHTTP1: true }, handler)
    : createHttpServer(handler);
  const sockets = new Set();
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  server.on('secureConnection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });

  function send(res, code, body, headers = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  async function readBody(req) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    return Buffer.concat(chunks);
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'https://fake');
    const path = url.pathname;
    const q = url.searchParams;
    const entry = { method: req.method, path, query: url.search, status: 0 };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${token}`) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));

    for (const f of failures) {
      if (f.count > 0 && (!f.method || f.method === req.method) && (!f.path || f.path.test(path))) {
        f.count--;
        const reason =
          f.status === 503
            ? 'ServiceUnavailable'
            : f.status === 429
              ? 'TooManyRequests'
              : f.status === 504
                ? 'Timeout'
                : 'InternalError';
        const msg = f.status === 503 ? 'the server is currently unable to handle the request' : 'injected failure';
        return send(res, f.status, status(f.status, reason, msg), f.status === 429 ? {} : {});
      }
    }

    // discovery
    if (path === '/version')
      return send(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.0-kaapana-ext-fake',
        platform: 'linux/amd64',
      });
    if (path === '/api')
      return send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: url.host }],
      });
    if (path === '/apis') {
      const groups = [
        ...new Set(
          Object.values(RESOURCES)
            .map((r) => r.group)
            .filter(Boolean),
        ),
      ].map((g) => ({
        name: g,
        versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
      }));
      return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
    }
    if (path === '/api/v1' || /^\/apis\/[^/]+\/v1$/.test(path)) {
      const group = path === '/api/v1' ? '' : path.split('/')[2];
      const resources = Object.entries(RESOURCES)
        .filter(([, r]) => r.group === group)
        .flatMap(([plural, r]) => [
          {
            name: plural,
            singularName: r.kind.toLowerCase(),
            namespaced: true,
            kind: r.kind,
            verbs: VERBS,
            shortNames: r.shortNames,
          },
          ...(plural === 'services'
            ? [
                {
                  name: 'services/proxy',
                  singularName: '',
                  namespaced: true,
                  kind: 'ServiceProxyOptions',
                  verbs: ['create', 'delete', 'get', 'patch', 'update'],
                },
              ]
            : []),
          ...(plural === 'pods'
            ? [{ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }]
            : []),
          ...(WORKLOADS.has(plural) || plural === 'jobs' || plural === 'pods'
            ? [
                {
                  name: `${plural}/status`,
                  singularName: '',
                  namespaced: true,
                  kind: r.kind,
                  verbs: ['get', 'patch', 'update'],
                },
              ]
            : []),
        ]);
      if (group === '')
        resources.push({
          name: 'namespaces',
          singularName: 'namespace',
          namespaced: false,
          kind: 'Namespace',
          verbs: ['get', 'list'],
          shortNames: ['ns'],
        });
      if (resources.length === 0)
        return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/v1` : 'v1',
        resources,
      });
    }
    if (/^\/apis\/[^/]+$/.test(path)) {
      const g = path.split('/')[2];
      if (!Object.values(RESOURCES).some((r) => r.group === g))
        return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return send(res, 200, {
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: g,
        versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
      });
    }

    // namespaced resources
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?(?:\/(.*))?$/.exec(
      path,
    );
    if (!m) {
      if (/^\/api\/v1\/namespaces\/[^/]+$/.test(path)) {
        const name = decodeURIComponent(path.split('/')[4]);
        return send(res, 200, {
          kind: 'Namespace',
          apiVersion: 'v1',
          metadata: { name, uid: name },
          status: { phase: 'Active' },
        });
      }
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const [, group = '', nsRaw, resource, nameRaw, sub] = m;
    const ns = nsRaw === undefined ? undefined : decodeURIComponent(nsRaw);
    const info = RESOURCES[resource];
    if (resource === 'namespaces' && !nsRaw) {
      const names = [...new Set([...store.values()].map((o) => o.metadata.namespace))];
      return send(res, 200, {
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(rv) },
        items: names.map((n) => ({ metadata: { name: n }, status: { phase: 'Active' } })),
      });
    }
    if (!info || info.group !== group)
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));

    // service proxy
    if (resource === 'services' && nameRaw && (sub === 'proxy' || sub?.startsWith('proxy/'))) {
      if (denied('get', 'services/proxy', ns)) return forbidden(res, 'get', 'services/proxy', ns, nameRaw);
      return proxy(
        req,
        res,
        ns,
        decodeURIComponent(nameRaw),
        `/${sub.slice('proxy'.length).replace(/^\//, '')}`,
        url.search,
      );
    }
    if (resource === 'pods' && nameRaw && sub === 'log' && req.method === 'GET') {
      if (denied('get', 'pods/log', ns)) return forbidden(res, 'get', 'pods/log', ns, nameRaw);
      const pod = store.get(keyOf('pods', ns, decodeURIComponent(nameRaw)));
      if (!pod) return notFound(res, 'pods', decodeURIComponent(nameRaw));
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      if (pod.status?.phase === 'Pending' && waiting) {
        const c = pod.spec.containers[0].name;
        return send(
          res,
          400,
          status(
            400,
            'BadRequest',
            `container "${c}" in pod "${pod.metadata.name}" is waiting to start: ${waiting.reason === 'ContainerCreating' ? 'ContainerCreating' : `trying and failing to pull image`}`,
          ),
        );
      }
      const lines = pod._log ?? [];
      return send(res, 200, lines.length ? `${lines.join('\n')}\n` : '');
    }
    if (sub && sub !== 'status')
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));

    const name = nameRaw === undefined ? undefined : decodeURIComponent(nameRaw);
    const watching = q.get('watch') === 'true' || q.get('watch') === '1';
    const verb =
      req.method === 'GET'
        ? name
          ? 'get'
          : watching
            ? 'watch'
            : 'list'
        : req.method === 'DELETE'
          ? name
            ? 'delete'
            : 'deletecollection'
          : req.method === 'PATCH'
            ? 'patch'
            : req.method === 'POST'
              ? 'create'
              : req.method === 'PUT'
                ? 'update'
                : 'unknown';
    if (denied(verb, resource, ns)) return forbidden(res, verb, resource, ns, name);
    let labelSel;
    let fieldSel;
    try {
      labelSel = parseLabelSelector(q.get('labelSelector'));
      fieldSel = parseFieldSelector(q.get('fieldSelector'));
    } catch (e) {
      return send(res, 400, status(400, 'BadRequest', e.message));
    }
    const matches = (o) =>
      (ns === undefined || o.metadata.namespace === ns) && labelSel(o.metadata.labels) && fieldSel(o);

    if (req.method === 'GET' && watching) return watch(req, res, resource, matches, q);
    if (req.method === 'GET' && name) {
      const o = store.get(keyOf(resource, ns, name));
      if (!o) return notFound(res, resource, name);
      return sendObjects(req, res, resource, [o], false);
    }
    if (req.method === 'GET') {
      return sendObjects(req, res, resource, list(resource, ns).filter(matches), true);
    }
    if (req.method === 'DELETE' && name) {
      if (!store.has(keyOf(resource, ns, name))) return notFound(res, resource, name);
      const o = resource === 'pods' ? deletePod(ns, name) : remove(resource, ns, name);
      return send(res, 200, strip(o));
    }
    if (req.method === 'PATCH' && name) {
      const o = store.get(keyOf(resource, ns, name));
      if (!o) return notFound(res, resource, name);
      const ct = String(req.headers['content-type'] ?? '');
      if (ct.includes('json-patch+json') && !ct.includes('merge'))
        return send(
          res,
          415,
          status(415, 'UnsupportedMediaType', 'the fake apiserver supports merge and strategic-merge patches only'),
        );
      let patch;
      try {
        patch = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      } catch (e) {
        return send(res, 400, status(400, 'BadRequest', `invalid patch: ${e.message}`));
      }
      const before = JSON.stringify(o.spec ?? {});
      const next = mergePatch(strip(o), patch);
      next.metadata = {
        ...o.metadata,
        ...(next.metadata ?? {}),
        uid: o.metadata.uid,
        name: o.metadata.name,
        namespace: o.metadata.namespace,
      };
      if (sub !== 'status' && JSON.stringify(next.spec ?? {}) !== before && next.metadata.generation !== undefined)
        next.metadata.generation++;
      for (const [k, v] of Object.entries(o)) if (k.startsWith('_')) next[k] = v;
      put(resource, next);
      return send(res, 200, strip(next));
    }
    if (req.method === 'POST' && !name) {
      const obj = JSON.parse((await readBody(req)).toString('utf8') || '{}');
      const n =
        obj?.metadata?.name ?? (obj?.metadata?.generateName ? `${obj.metadata.generateName}${suffix()}` : undefined);
      if (!n) return send(res, 422, status(422, 'Invalid', `${resource} "" is invalid: metadata.name: Required value`));
      if (store.has(keyOf(resource, ns, n)))
        return send(res, 409, status(409, 'AlreadyExists', `${resource} "${n}" already exists`));
      obj.metadata = { ...obj.metadata, ...newMeta(ns, n, obj.metadata?.labels), generation: 1 };
      put(resource, obj);
      return send(res, 201, strip(obj));
    }
    return send(
      res,
      405,
      status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`),
    );
  }

  function denied(verb, resource, ns) {
    return denyRules.some(
      (r) =>
        (r.verb === '*' || r.verb === verb) &&
        (r.resource === '*' || r.resource === resource) &&
        (!r.namespace || r.namespace === ns),
    );
  }

  function forbidden(res, verb, resource, ns, name) {
    const group = RESOURCES[resource.split('/')[0]]?.group ?? '';
    const msg = `${resource}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:ci:kaapana-ext" cannot ${verb} resource "${resource}" in API group "${group}"${ns ? ` in the namespace "${ns}"` : ''}`;
    return send(res, 403, status(403, 'Forbidden', msg, { name, kind: resource }));
  }

  function notFound(res, resource, name) {
    const info = RESOURCES[resource];
    return send(
      res,
      404,
      status(404, 'NotFound', `${resource}${info.group ? `.${info.group}` : ''} "${name}" not found`, {
        name,
        group: info.group,
        kind: resource,
      }),
    );
  }

  function sendObjects(req, res, resource, objs, asList) {
    const info = RESOURCES[resource];
    const accept = String(req.headers.accept ?? '');
    if (accept.includes('as=Table')) {
      const columnDefinitions = [
        { name: 'Name', type: 'string', format: 'name', description: 'Name', priority: 0 },
        ...(resource === 'pods'
          ? [{ name: 'Status', type: 'string', format: '', description: 'Phase', priority: 0 }]
          : []),
        { name: 'Age', type: 'string', format: '', description: 'Age', priority: 0 },
      ];
      const rows = objs.map((o) => {
        const age = `${Math.max(0, Math.round((Date.now() - Date.parse(o.metadata.creationTimestamp ?? new Date().toISOString())) / 1000))}s`;
        const phase = o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '');
        return { cells: [o.metadata.name, ...(resource === 'pods' ? [phase] : []), age], object: strip(o) };
      });
      return send(res, 200, {
        kind: 'Table',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: String(rv) },
        columnDefinitions,
        rows,
      });
    }
    if (!asList) return send(res, 200, strip(objs[0]));
    return send(res, 200, {
      kind: `${info.kind}List`,
      apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
      metadata: { resourceVersion: String(rv) },
      items: objs.map(strip),
    });
  }

  function watch(req, res, resource, matches, q) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const write = (type, object) => res.write(`${JSON.stringify({ type, object: strip(object) })}\n`);
    const since = q.get('resourceVersion');
    if (q.get('sendInitialEvents') === 'true') {
      for (const o of list(resource).filter(matches)) write('ADDED', o);
      write('BOOKMARK', {
        kind: RESOURCES[resource].kind,
        apiVersion: 'v1',
        metadata: { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    } else if (since && since !== '0') {
      for (const ev of history)
        if (ev.resource === resource && ev.rv > Number(since) && matches(ev.object)) write(ev.type, ev.object);
    } else {
      for (const o of list(resource).filter(matches)) write('ADDED', o);
    }
    const listener = (ev) => {
      if (ev.resource === resource && matches(ev.object)) write(ev.type, ev.object);
    };
    listener.end = () => res.end();
    watchers.add(listener);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    let t;
    if (timeout > 0) {
      t = setTimeout(() => res.end(), timeout * 1000);
      timers.add(t);
    }
    const stop = () => {
      watchers.delete(listener);
      if (t) {
        clearTimeout(t);
        timers.delete(t);
      }
    };
    req.on('close', stop);
    res.on('close', stop);
  }

  async function proxy(req, res, ns, svcRef, subPath, search) {
    const parts = svcRef.split(':');
    const [svcName, portRef] = parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
    const svc = store.get(keyOf('services', ns, svcName));
    if (!svc) return notFound(res, 'services', svcName);
    const port = portRef
      ? svc.spec.ports.find((p) => String(p.port) === portRef || p.name === portRef)
      : svc.spec.ports[0];
    const backend = svc._backend ?? {};
    if (!port || !backend.endpoints || (!backend.handler && !backend.target)) {
      return send(res, 503, status(503, 'ServiceUnavailable', `no endpoints available for service "${svcRef}"`));
    }
    const body = await readBody(req);
    if (backend.handler) {
      const out = await backend.handler({
        method: req.method,
        path: subPath,
        query: search,
        headers: req.headers,
        body: body.toString('utf8'),
      });
      const b = out.body ?? '';
      return send(res, out.status ?? 200, b, out.headers ?? {});
    }
    const target = new URL(
      subPath.replace(/^\//, '') + search,
      backend.target.endsWith('/') ? backend.target : `${backend.target}/`,
    );
    await new Promise((resolve) => {
      // The API server forwards the client's headers (k8s.io/apimachinery/pkg/util/proxy
      // UpgradeAwareHandler) except hop-by-hop ones; its authentication filter has already removed
      // Authorization (k8s.io/apiserver/pkg/endpoints/filters/authentication.go).
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (
          v === undefined ||
          k.startsWith(':') ||
          [
            'authorization',
            'host',
            'connection',
            'keep-alive',
            'transfer-encoding',
            'upgrade',
            'te',
            'trailer',
            'proxy-authorization',
            'content-length',
          ].includes(k)
        )
          continue;
        headers[k] = v;
      }
      headers['content-type'] ??= 'application/octet-stream';
      headers['content-length'] = String(body.length);
      const fwd = httpRequest(target, { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, { 'Content-Type': up.headers['content-type'] ?? 'text/plain' });
        up.pipe(res);
        up.on('end', resolve);
      });
      fwd.on('error', (e) => {
        send(res, 503, status(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`));
        resolve();
      });
      fwd.end(body);
    });
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  api.url = `${tls ? 'https' : 'http'}://127.0.0.1:${addr.port}`;
  return api;
}
