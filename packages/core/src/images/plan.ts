// The build plan of an extension: one node per Dockerfile, edges from `FROM local-only/<name>`
// to the Dockerfile that produces `<name>` (IMAGE label, REGISTRY local-only), tags per Kaapana's
// conventions, and a topological order with levels (images of one level are independent).
// Missing local bases and cycles are errors that name file and line.
// Duplicate IMAGE labels are resolved as Kaapana's build does: the first Dockerfile in path order
// is kept and the others are logged (kaapana/kaapana@0.6.0
// build-scripts/build_helper/build/build_state.py `add_container`: "Duplicated container with the
// same name already present … Not adding duplicated container"; container_helper.py walks
// `sorted(set(rglob("Dockerfile*")))`). A duplicate is only an error when the image is actually
// needed and ambiguous: a local-only base some built image is FROM, defined twice in the same tree,
// or a Dockerfile the `dockerfiles` input selected that Kaapana's rule would drop. Local-only bases
// can also come from a Kaapana checkout (`source`, the kaapana-source input): only the local-only
// Dockerfiles of that tree are candidates, only those the build needs (transitively) are planned,
// and a base the extension's own context defines wins over the checkout's (logged).
import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { KxAggregateError, KxError } from '../errors/index.js';
import { localOnlyName, parseDockerfile, type ParsedDockerfile } from './dockerfile.js';
import { imageRef, imageTag, validateImageName, validateRegistry, validateTag, type TagStyle } from './tags.js';
import { pickVersion, type VersionRules } from './version.js';

export interface PlanOptions {
  /** Directory paths are reported relative to. */
  context: string;
  /** Every Dockerfile of the tree (absolute). */
  all: string[];
  /** The Dockerfiles to build; their local-only bases are added automatically. */
  selected: string[];
  /** Registry prefix for pushed images, e.g. `ghcr.io/org` or `127.0.0.1:5000/kaapana`. */
  registry: string;
  /** Version that overrides each Dockerfile's VERSION label (same as versions.version). */
  version?: string;
  /** The version model (see version.ts); `version` above is its `version` rule. */
  versions?: VersionRules;
  /** True when `selected` is an explicit `dockerfiles` selection (not the whole context). */
  explicit?: boolean;
  /** A Kaapana checkout: its local-only Dockerfiles (absolute) provide bases the context lacks. */
  source?: { root: string; files: string[] };
  /** Decisions worth a log line (duplicates kept/dropped, bases taken from kaapana-source). */
  log?: (msg: string) => void;
  tagStyle?: TagStyle;
  platformVersion?: string;
  abbr?: string;
  /** `local-only/<name>:<tag>` → pullable ref, for bases not built from the tree. */
  baseImages?: Record<string, string>;
  /** Build images whose BUILD_IGNORE / CI_IGNORE is true as well. */
  includeIgnored?: boolean;
}

export interface PlannedImage {
  /** Unique key: the IMAGE label (lower case). */
  id: string;
  name: string;
  /** Dockerfile path relative to the context (what logs and outputs show). */
  dockerfile: string;
  dockerfilePath: string;
  /** Build context: the Dockerfile's directory. */
  contextDir: string;
  localOnly: boolean;
  /** Tag pushed (or, for local-only images, the main local tag). */
  tag: string;
  /** Main reference: `<registry>/<name>:<tag>` or `local-only/<name>:<tag>`. */
  ref: string;
  /** Every tag applied after the build (full references). */
  tags: string[];
  /** Ids of the tree images this one is built FROM. */
  dependsOn: string[];
  /** External bases (pulled by docker build itself). */
  externalBases: string[];
  /** `local-only/...` bases supplied through the base-images mapping. */
  mappedBases: string[];
  /** 0 for images without local bases, else 1 + the highest level of their bases. */
  level: number;
  /** True when the image is only built because a selected image needs it. */
  implicit: boolean;
  /** Where the Dockerfile comes from: the extension's context or the kaapana-source checkout. */
  origin: 'context' | 'kaapana-source';
  /** The rule that gave the tag's version (see version.ts); `local-only` for local images. */
  versionRule: string;
  /** Labels passed to the build with --label (OCI labels from git, the user's labels); see metadata.ts. */
  labels?: Record<string, string>;
}

export interface DuplicateImage {
  image: string;
  /** Dockerfile kept (first in Kaapana's order) and the one dropped, as shown in the plan. */
  kept: string;
  dropped: string;
}

export interface BaseImageMapping {
  /** `local-only/<name>:<tag>` as written in FROM. */
  localRef: string;
  /** Pullable reference that provides it. */
  source: string;
}

export interface BuildPlan {
  images: PlannedImage[];
  baseImages: BaseImageMapping[];
  /** Dockerfiles skipped because of BUILD_IGNORE / CI_IGNORE. */
  skipped: { dockerfile: string; reason: string }[];
  /** Duplicate IMAGE labels and how they were resolved. */
  duplicates: DuplicateImage[];
}

interface Node {
  parsed: ParsedDockerfile;
  id: string;
  rel: string;
  path: string;
  origin: 'context' | 'kaapana-source';
}

/** A duplicate IMAGE label with the nodes behind it (what the ambiguity check needs). */
interface Duplicate extends DuplicateImage {
  keptNode: Node;
  droppedPath: string;
  droppedLocalOnly: boolean;
}

/** The Dockerfiles read: the images by id (first in path order), the local-only ones by name. */
interface Scan {
  byId: Map<string, Node>;
  localByName: Map<string, Node>;
  skipped: BuildPlan['skipped'];
  duplicates: Duplicate[];
}

/** The edges of every image: tree bases, external bases and bases taken from the base-images mapping. */
interface Graph {
  deps: Map<string, string[]>;
  externals: Map<string, string[]>;
  /** `local-only/<name>:<tag>` → pullable ref, for the mappings some image uses. */
  usedMappings: Map<string, string>;
  mappedBy: Map<string, string[]>;
  /** Tags of a local-only image that some FROM names (each is applied after its build). */
  localTagsWanted: Map<string, Set<string>>;
}

/** A missing-base error remembers its image: it only counts when that image is part of the build. */
type MissingBaseError = KxError & { nodeId?: string };

export async function planBuild(opts: PlanOptions): Promise<BuildPlan> {
  const errors: KxError[] = [];
  const registry = validateRegistry(opts.registry);
  const selectedSet = new Set(opts.selected);
  const scan = await scanDockerfiles(opts, selectedSet, errors);
  const baseImages = baseImageMapping(opts.baseImages ?? {}, errors);
  const graph = resolveBases(scan, baseImages, errors);

  const selectedIds = [...scan.byId.values()].filter((n) => selectedSet.has(n.path)).map((n) => n.id);
  const wanted = closure(selectedIds, graph.deps);
  // Missing-base errors only count for images that are part of the build.
  const relevant = errors.filter((e) => {
    const nodeId = (e as MissingBaseError).nodeId;
    return nodeId === undefined || wanted.has(nodeId);
  });
  relevant.push(...resolveDuplicates(scan.duplicates, wanted, graph.deps, selectedSet, opts));
  const level = levels(wanted, graph.deps, scan.byId, relevant);
  if (relevant.length === 1) throw relevant[0]!;
  if (relevant.length > 1) throw new KxAggregateError(relevant);

  const images = [...wanted]
    .sort((a, b) => level.get(a)! - level.get(b)! || (a < b ? -1 : 1))
    .map((id) => plannedImage(scan.byId.get(id)!, { opts, registry, graph, level, selectedIds }));
  return {
    images,
    baseImages: [...new Set(images.flatMap((i) => i.mappedBases))]
      .sort()
      .map((localRef) => ({ localRef, source: graph.usedMappings.get(localRef)! })),
    skipped: scan.skipped,
    duplicates: scan.duplicates.map(({ image, kept, dropped }) => ({ image, kept, dropped })),
  };
}

/** Reads every Dockerfile of the context and the local-only ones of the kaapana-source checkout, in order. */
async function scanDockerfiles(opts: PlanOptions, selectedSet: Set<string>, errors: KxError[]): Promise<Scan> {
  const scan: Scan = { byId: new Map(), localByName: new Map(), skipped: [], duplicates: [] };
  const candidates: { file: string; origin: Node['origin'] }[] = [
    ...opts.all.map((file) => ({ file, origin: 'context' as const })),
    ...(opts.source?.files ?? []).map((file) => ({ file, origin: 'kaapana-source' as const })),
  ];
  for (const { file, origin } of candidates) {
    const rel =
      origin === 'context'
        ? relative(opts.context, file) || file
        : `kaapana-source/${relative(opts.source!.root, file)}`;
    const node = await readNode(file, rel, origin, { opts, selectedSet, errors, skipped: scan.skipped });
    if (node) addNode(scan, node);
  }
  return scan;
}

/**
 * One Dockerfile as a plan node, or undefined when it is no candidate: unreadable (an error when
 * selected), a kaapana-source image that is not local-only, ignored (recorded as skipped), without
 * an IMAGE label (an error when selected) or with an invalid one (an error).
 */
async function readNode(
  file: string,
  rel: string,
  origin: Node['origin'],
  ctx: { opts: PlanOptions; selectedSet: Set<string>; errors: KxError[]; skipped: BuildPlan['skipped'] },
): Promise<Node | undefined> {
  const { opts, selectedSet, errors } = ctx;
  let parsed: ParsedDockerfile;
  try {
    parsed = parseDockerfile(await readFile(file, 'utf8'), rel);
  } catch (e) {
    if (e instanceof KxError) {
      if (selectedSet.has(file)) errors.push(e);
      return undefined;
    }
    throw e;
  }
  // From a Kaapana checkout only local-only bases are candidates; its other images are Kaapana's.
  if (origin === 'kaapana-source' && !parsed.localOnly) return undefined;
  if (parsed.ignored && !opts.includeIgnored) {
    const key = parsed.labels.BUILD_IGNORE !== undefined ? 'BUILD_IGNORE' : 'CI_IGNORE';
    ctx.skipped.push({ dockerfile: rel, reason: `${key}=${parsed.labels[key]}` });
    return undefined;
  }
  if (!parsed.labels.IMAGE) {
    // Kaapana: IMAGE is required. Only an error for Dockerfiles we were asked to build.
    if (selectedSet.has(file))
      errors.push(
        new KxError('LABEL IMAGE="<name>" is missing: Kaapana needs it to name the image', { file: rel, line: 1 }),
      );
    return undefined;
  }
  try {
    const id = validateImageName(parsed.labels.IMAGE, { file: rel, line: parsed.labelLines.IMAGE });
    return { parsed, id, rel, path: file, origin };
  } catch (e) {
    errors.push(e as KxError);
    return undefined;
  }
}

/** Adds a node, or records it as a duplicate: the first in path order is kept, except as below. */
function addNode(scan: Scan, node: Node): void {
  const { id, parsed, rel } = node;
  const other = scan.byId.get(id);
  if (!other) {
    scan.byId.set(id, node);
    if (parsed.localOnly) scan.localByName.set(id, node);
    return;
  }
  // A local-only image and a pushed one of the same name are different images for Kaapana (its
  // key is the whole tag, registry included: 0.1.3 base-python-cpu Dockerfile/DockerfileRemote);
  // one name here, so the local-only one is kept: `FROM local-only/<name>` needs it.
  if (parsed.localOnly && !other.parsed.localOnly) {
    scan.byId.set(id, node);
    scan.localByName.set(id, node);
    scan.duplicates.push({
      image: id,
      kept: rel,
      dropped: other.rel,
      keptNode: node,
      droppedPath: other.path,
      droppedLocalOnly: false,
    });
  } else {
    scan.duplicates.push({
      image: id,
      kept: other.rel,
      dropped: rel,
      keptNode: other,
      droppedPath: node.path,
      droppedLocalOnly: parsed.localOnly,
    });
  }
}

/** The base-images input keyed by `local-only/<name>:<tag>` (`:latest` when the key has no tag). */
function baseImageMapping(input: Record<string, string>, errors: KxError[]): Map<string, string> {
  const baseImages = new Map<string, string>();
  for (const [key, source] of Object.entries(input)) {
    if (!localOnlyName(key))
      errors.push(new KxError(`base-images key "${key}" must name a local-only image (local-only/<name>:<tag>)`));
    baseImages.set(key.includes(':') ? key : `${key}:latest`, source);
  }
  return baseImages;
}

/** The bases of every node: a local-only base comes from the tree, else from base-images, else is an error. */
function resolveBases(scan: Scan, baseImages: Map<string, string>, errors: KxError[]): Graph {
  const graph: Graph = {
    deps: new Map(),
    externals: new Map(),
    usedMappings: new Map(),
    mappedBy: new Map(),
    localTagsWanted: new Map(),
  };
  for (const node of scan.byId.values()) {
    const d: string[] = [];
    const ext: string[] = [];
    for (const from of node.parsed.froms) {
      if (from.internal) continue;
      const local = localOnlyName(from.image);
      if (!local) {
        ext.push(from.image);
        continue;
      }
      const key = `local-only/${local.name}:${local.tag}`;
      const provider = scan.localByName.get(local.name.toLowerCase());
      const mapped = baseImages.get(key);
      if (provider) {
        if (!d.includes(provider.id)) d.push(provider.id);
        const set = graph.localTagsWanted.get(provider.id) ?? new Set<string>();
        set.add(local.tag);
        graph.localTagsWanted.set(provider.id, set);
      } else if (mapped) {
        graph.usedMappings.set(key, mapped);
        graph.mappedBy.set(node.id, [...(graph.mappedBy.get(node.id) ?? []), key]);
      } else {
        const mark: MissingBaseError = new KxError(
          `base image missing: ${from.image} is built by no Dockerfile of the tree (LABEL IMAGE="${local.name}" with LABEL REGISTRY="local-only") and is not in base-images`,
          { file: node.rel, line: from.line },
        );
        mark.nodeId = node.id;
        errors.push(mark);
      }
    }
    graph.deps.set(node.id, d);
    graph.externals.set(node.id, ext);
  }
  return graph;
}

/** The selected images and, transitively, the tree images they are built FROM. */
function closure(selectedIds: string[], deps: Map<string, string[]>): Set<string> {
  const wanted = new Set<string>();
  const visit = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const d of deps.get(id) ?? []) visit(d);
  };
  selectedIds.forEach(visit);
  return wanted;
}

/** Logs each duplicate; returns the errors of the ambiguous ones (see the header). */
function resolveDuplicates(
  duplicates: Duplicate[],
  wanted: Set<string>,
  deps: Map<string, string[]>,
  selectedSet: Set<string>,
  opts: PlanOptions,
): KxError[] {
  const log = opts.log ?? (() => {});
  const errors: KxError[] = [];
  const neededAsBase = new Set([...wanted].flatMap((id) => deps.get(id) ?? []));
  for (const d of duplicates) {
    const droppedOrigin = d.dropped.startsWith('kaapana-source/') ? 'kaapana-source' : 'context';
    const ambiguous =
      (opts.explicit && selectedSet.has(d.droppedPath)) ||
      (wanted.has(d.image) &&
        neededAsBase.has(d.image) &&
        d.keptNode.origin === droppedOrigin &&
        d.keptNode.parsed.localOnly === d.droppedLocalOnly);
    if (ambiguous) {
      errors.push(
        new KxError(
          `image "${d.image}" is needed by this build but defined twice: ${d.kept} and ${d.dropped} (Kaapana's build would keep ${d.kept}, the first in path order). Rename one IMAGE label, remove one, or ignore one`,
          { file: d.dropped, line: 1 },
        ),
      );
    } else if (d.keptNode.origin !== droppedOrigin) {
      if (wanted.has(d.image)) log(`local-only/${d.image}: using ${d.kept} of the context, not ${d.dropped}`);
    } else {
      log(
        `duplicate image "${d.image}": ${d.dropped} not added, ${d.kept} kept (first in path order, as Kaapana's build does)`,
      );
    }
  }
  return errors;
}

/** Levels by Kahn's algorithm over the wanted subgraph; a cycle is pushed onto `errors` (one is reported). */
function levels(
  wanted: Set<string>,
  deps: Map<string, string[]>,
  byId: Map<string, Node>,
  errors: KxError[],
): Map<string, number> {
  const level = new Map<string, number>();
  const remaining = new Set(wanted);
  while (remaining.size > 0) {
    const ready = [...remaining].filter((id) => (deps.get(id) ?? []).every((d) => level.has(d)));
    if (ready.length === 0) {
      const cycle = findCycle([...remaining], deps);
      const where = byId.get(cycle[0]!)!;
      errors.push(
        new KxError(`build cycle: ${cycle.map((id) => `${id} (${byId.get(id)!.rel})`).join(' → ')} → ${cycle[0]}`, {
          file: where.rel,
          line: 1,
        }),
      );
      break;
    }
    for (const id of ready.sort()) {
      level.set(id, Math.max(-1, ...(deps.get(id) ?? []).map((d) => level.get(d)!)) + 1);
      remaining.delete(id);
    }
  }
  return level;
}

/** One planned image: its tags (see imageTags) and its place in the graph. */
function plannedImage(
  node: Node,
  ctx: { opts: PlanOptions; registry: string; graph: Graph; level: Map<string, number>; selectedIds: string[] },
): PlannedImage {
  const { id, parsed: p } = node;
  const { graph } = ctx;
  const { tag, ref, tags, versionRule } = imageTags(node, ctx.opts, ctx.registry, graph.localTagsWanted.get(id));
  return {
    id,
    name: id,
    dockerfile: node.rel,
    dockerfilePath: node.path,
    contextDir: dirname(node.path),
    localOnly: p.localOnly,
    tag,
    ref,
    tags,
    dependsOn: graph.deps.get(id) ?? [],
    externalBases: graph.externals.get(id) ?? [],
    mappedBases: graph.mappedBy.get(id) ?? [],
    level: ctx.level.get(id)!,
    implicit: !ctx.selectedIds.includes(id),
    origin: node.origin,
    versionRule,
  };
}

/**
 * The tags of an image. A local-only image: its VERSION label (else `latest`), plus `latest` and
 * every tag some FROM names. A pushed image: one tag from the version rules (see version.ts) in the
 * tag style. Errors without a place are given the VERSION (else IMAGE) label's.
 */
function imageTags(
  node: Node,
  opts: PlanOptions,
  registry: string,
  localTagsWanted: Set<string> | undefined,
): { tag: string; ref: string; tags: string[]; versionRule: string } {
  const { id, parsed: p } = node;
  const where = { file: node.rel, line: p.labelLines.VERSION ?? p.labelLines.IMAGE };
  try {
    if (p.localOnly) {
      const tag = p.labels.VERSION ? validateTag(p.labels.VERSION) : 'latest';
      const set = new Set(['latest', tag, ...(localTagsWanted ?? [])]);
      const tags = [...set].map((t) => `local-only/${id}:${validateTag(t)}`);
      return { tag, ref: `local-only/${id}:${tag}`, tags, versionRule: 'local-only' };
    }
    const rules: VersionRules = { ...opts.versions, labelFirst: (opts.tagStyle ?? 'platform') === 'kp' };
    if (opts.version) rules.version = opts.version;
    const picked = pickVersion(id, p.labels.VERSION, rules);
    if (!picked)
      throw new KxError(
        'no version: set the `version` input, tag the git checkout (e.g. v1.2.3), or LABEL VERSION="<x.y.z>"',
        where,
      );
    const tagOpts: Parameters<typeof imageTag>[0] = { style: opts.tagStyle ?? 'platform', version: picked.version };
    if (picked.rule.startsWith('LABEL VERSION')) tagOpts.verbatim = true;
    if (opts.platformVersion !== undefined) tagOpts.platformVersion = opts.platformVersion;
    if (opts.abbr !== undefined) tagOpts.abbr = opts.abbr;
    const tag = imageTag(tagOpts);
    const ref = imageRef(registry, id, tag);
    return { tag, ref, tags: [ref], versionRule: picked.rule };
  } catch (e) {
    if (e instanceof KxError && !e.file) throw new KxError(e.message, where);
    throw e;
  }
}

function findCycle(nodes: string[], deps: Map<string, string[]>): string[] {
  const inSet = new Set(nodes);
  const start = nodes.sort()[0]!;
  const path: string[] = [];
  const seen = new Map<string, number>();
  let cur: string | undefined = start;
  while (cur !== undefined && !seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = (deps.get(cur) ?? []).find((d) => inSet.has(d));
  }
  return cur === undefined ? path : path.slice(seen.get(cur));
}

/** Mermaid flowchart of the plan (base → dependent), for the job summary. */
export function planToMermaid(plan: BuildPlan): string {
  const lines = ['flowchart LR'];
  const nodeId = (id: string) => `n_${id.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  for (const img of plan.images) {
    const label = img.localOnly ? `${img.name}\\n(local-only)` : `${img.name}:${img.tag}`;
    lines.push(`  ${nodeId(img.id)}["${label}"]`);
  }
  for (const m of plan.baseImages) {
    const local = localOnlyName(m.localRef)!;
    lines.push(`  ${nodeId(`base_${local.name}`)}[("${m.source}")]`);
  }
  for (const img of plan.images) {
    for (const d of img.dependsOn) lines.push(`  ${nodeId(d)} --> ${nodeId(img.id)}`);
    for (const m of img.mappedBases) lines.push(`  ${nodeId(`base_${localOnlyName(m)!.name}`)} --> ${nodeId(img.id)}`);
  }
  return lines.join('\n');
}
