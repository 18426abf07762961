// Reading a Dockerfile the way Kaapana's build does: labels from lines that start with
// `LABEL NAME=` (one label per line, quotes stripped), and every `FROM` line (multi-stage,
// `AS name`, `--platform=`, `ARG`-substituted bases, lines marked `#ignore` skipped). It does not
// decide what to build; see plan.ts.
import { KxError } from '../errors/index.js';

export interface FromLine {
  /** Base image as written after ARG substitution, e.g. `local-only/dag-installer:0.1.0`. */
  image: string;
  /** 1-based line of the FROM instruction. */
  line: number;
  /** Stage name from `AS name`, if any. */
  stage?: string;
  /** True when the base refers to an earlier stage of the same Dockerfile, or is `scratch`. */
  internal: boolean;
}

export interface KaapanaLabels {
  IMAGE?: string;
  REGISTRY?: string;
  VERSION?: string;
  BUILD_IGNORE?: string;
  CI_IGNORE?: string;
  [key: string]: string | undefined;
}

export interface ParsedDockerfile {
  file: string;
  labels: KaapanaLabels;
  /** Line of each label, for errors about it. */
  labelLines: Record<string, number>;
  froms: FromLine[];
  /** True when REGISTRY contains `local-only`. */
  localOnly: boolean;
  /** True when BUILD_IGNORE or CI_IGNORE is true/yes/1 (any case). */
  ignored: boolean;
}

const LABEL_RE = /^LABEL\s+([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/;

function unquote(value: string): string {
  let v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) {
    v = v.slice(1, -1);
  }
  return v.trim();
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(true|yes|1)$/i.test(value.trim());
}

/** Substitute `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` with the ARG values in scope. */
function substitute(text: string, args: Map<string, string>): string {
  return text.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, braced, op, word, bare) => {
      const name = (braced ?? bare) as string;
      const value = args.get(name);
      if (op === '-') return value ? value : (word as string);
      if (op === '+') return value ? (word as string) : '';
      return value ?? '';
    },
  );
}

/** Join backslash-continued lines, remembering the line each logical instruction starts on. */
function logicalLines(text: string): { text: string; line: number; raw: string }[] {
  const out: { text: string; line: number; raw: string }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let buf = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (buf === '') start = i + 1;
    const trimmedEnd = line.replace(/\s+$/, '');
    if (trimmedEnd.endsWith('\\') && !/^\s*#/.test(line)) {
      buf += trimmedEnd.slice(0, -1) + ' ';
      continue;
    }
    if (buf !== '' && /^\s*#/.test(line)) continue; // comment inside a continuation
    buf += line;
    out.push({ text: buf, line: start, raw: buf });
    buf = '';
  }
  if (buf) out.push({ text: buf, line: start, raw: buf });
  return out;
}

export function parseDockerfile(text: string, file: string): ParsedDockerfile {
  const labels: KaapanaLabels = {};
  const labelLines: Record<string, number> = {};
  const froms: FromLine[] = [];
  const args = new Map<string, string>();
  const stages = new Set<string>();
  let sawFrom = false;

  for (const { text: l, line } of logicalLines(text)) {
    // Kaapana reads labels from lines that *start with* `LABEL NAME=`.
    const label = LABEL_RE.exec(l);
    if (label) {
      const key = label[1]!;
      labels[key] = unquote(label[2]!);
      labelLines[key] = line;
      continue;
    }
    const trimmed = l.trim();
    const m = /^(\w+)\s*(.*)$/.exec(trimmed);
    if (!m || trimmed.startsWith('#')) continue;
    const instruction = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (instruction === 'ARG') {
      // ARGs before the first FROM are global; later ones only matter for their stage, but
      // Kaapana bases are global ARGs, so keep both (a later FROM sees the latest default).
      const am = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest.trim());
      if (am && (!sawFrom || !args.has(am[1]!)))
        args.set(am[1]!, am[2] !== undefined ? unquote(am[2]) : (args.get(am[1]!) ?? ''));
      continue;
    }
    if (instruction !== 'FROM') continue;
    sawFrom = true;
    if (/#\s*ignore\b/i.test(l)) continue;
    const withoutComment = rest.replace(/\s+#.*$/, '');
    const tokens = withoutComment.split(/\s+/).filter((t) => t && !t.startsWith('--'));
    const rawImage = tokens[0];
    if (!rawImage) throw new KxError('FROM without an image', { file, line });
    const image = substitute(rawImage, args);
    if (!image)
      throw new KxError(`FROM ${rawImage} expands to nothing: declare a default with ARG before FROM`, { file, line });
    let stage: string | undefined;
    if (tokens.length >= 3 && tokens[1]!.toUpperCase() === 'AS') stage = tokens[2]!.toLowerCase();
    const internal = image === 'scratch' || stages.has(image.toLowerCase());
    if (!internal && !/^[^@]+(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/.test(image.replace(/^[^/]*:\d+\//, 'host/'))) {
      throw new KxError(`base image "${image}" has no tag: write e.g. ${image}:<version>`, { file, line });
    }
    const from: FromLine = { image, line, internal };
    if (stage) {
      from.stage = stage;
      stages.add(stage);
    }
    froms.push(from);
  }

  return {
    file,
    labels,
    labelLines,
    froms,
    localOnly: (labels.REGISTRY ?? '').includes('local-only'),
    ignored: isTrue(labels.BUILD_IGNORE) || isTrue(labels.CI_IGNORE),
  };
}

/** `local-only/<name>` part of a base reference, or undefined for other bases. */
export function localOnlyName(image: string): { name: string; tag: string } | undefined {
  const m = /^local-only\/([^:@]+)(?::([^@]+))?/.exec(image);
  if (!m) return undefined;
  return { name: m[1]!, tag: m[2] ?? 'latest' };
}
