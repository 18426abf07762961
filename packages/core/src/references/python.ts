// Reading the parts of Airflow DAG and operator files that name images and modules, statically and
// line by line as Kaapana's own build reads them (kaapana/kaapana@0.6.0
// build-scripts/build_helper/helm/helm_chart.py `IMAGE_PATTERN`: `image=` / `image:` followed by a
// string or f-string on one line; 0.1.3 container_helper.py `check_if_dag`: `image=` lines with
// `{default_registry}`). A string is resolved when every `{name}` in it is a known Kaapana variable or
// a name assigned exactly one string value in the same file; anything else stays unresolved and is
// reported as such, never guessed.

export interface PyString {
  /** Text between the quotes. */
  body: string;
  /** True for f-strings. */
  f: boolean;
}

export interface ImageArgument {
  line: number;
  /** The argument as written, e.g. `f"{DEFAULT_REGISTRY}/otsus-method:{KAAPANA_BUILD_VERSION}"`. */
  written: string;
  /** Undefined when the value is not a string (a variable, a call): not checkable. */
  value?: PyString;
}

export interface PyImport {
  line: number;
  /** Dotted module, e.g. `otsu_threshold.OtsuThresholdOperator`. */
  module: string;
  /** Names imported from it (`from m import a, b`); empty for `import m`. */
  names: string[];
}

const STRING = String.raw`([fFrRbBuU]{0,2})(?<q>"""|'''|"|')(.*?)\k<q>`;
const IMAGE_ARG_RE = new RegExp(String.raw`(?:^|[\s,(])image\s*=\s*(?:${STRING}|([A-Za-z_][\w.]*))`);
const ASSIGN_RE = new RegExp(String.raw`^\s*([A-Za-z_]\w*)\s*(?::\s*str\s*)?=\s*${STRING}\s*(?:#.*)?$`);

function toPy(prefix: string, body: string): PyString {
  return { body, f: /f/i.test(prefix) };
}

/** `image=` keyword arguments of the file, one per line at most (as Kaapana reads them). */
export function imageArguments(text: string): ImageArgument[] {
  const out: ImageArgument[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const code = raw.replace(/^\s*#.*$/, '');
    const m = IMAGE_ARG_RE.exec(code);
    if (!m) return;
    const written = code
      .slice(m.index)
      .replace(/^[\s,(]/, '')
      .replace(/^image\s*=\s*/, '')
      .replace(/[,)]\s*(#.*)?$/, '')
      .trim();
    if (m[4] !== undefined) out.push({ line: i + 1, written: m[4] });
    else out.push({ line: i + 1, written, value: toPy(m[1]!, m[3]!) });
  });
  return out;
}

/** Names assigned a string in the file; a name assigned two different strings maps to undefined. */
export function stringAssignments(text: string): Map<string, PyString | undefined> {
  const out = new Map<string, PyString | undefined>();
  for (const raw of text.split(/\r?\n/)) {
    const m = ASSIGN_RE.exec(raw);
    if (!m) continue;
    const value = toPy(m[2]!, m[4]!);
    const prev = out.get(m[1]!);
    if (out.has(m[1]!) && (prev === undefined || prev.body !== value.body || prev.f !== value.f))
      out.set(m[1]!, undefined);
    else out.set(m[1]!, value);
  }
  return out;
}

export type Resolved = { ok: true; value: string } | { ok: false; unresolved: string[] };

/** Resolve `{name}` placeholders of an f-string from `known`, then from the file's assignments. */
export function resolvePy(
  value: PyString,
  known: Record<string, string | undefined>,
  assigned: Map<string, PyString | undefined>,
  depth = 0,
): Resolved {
  if (!value.f) return { ok: true, value: value.body };
  const unresolved: string[] = [];
  const result = value.body.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, expr: string | undefined) => {
    if (expr === undefined) return whole === '{{' ? '{' : '}';
    const name = expr.trim();
    if (!/^[A-Za-z_]\w*$/.test(name)) {
      unresolved.push(name);
      return whole;
    }
    const k = known[name];
    if (k !== undefined) return k;
    const a = assigned.get(name);
    if (a && depth < 5) {
      const r = resolvePy(a, known, assigned, depth + 1);
      if (r.ok) return r.value;
      unresolved.push(...r.unresolved);
      return whole;
    }
    unresolved.push(name);
    return whole;
  });
  return unresolved.length ? { ok: false, unresolved: [...new Set(unresolved)] } : { ok: true, value: result };
}

/** `import a.b` / `from a.b import c, d` statements (parenthesised lists over several lines too). */
export function pythonImports(text: string): PyImport[] {
  const out: PyImport[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*$/, '');
    let m = /^\s*from\s+([\w.]+)\s+import\s+(.*)$/.exec(line);
    if (m) {
      let names = m[2]!;
      if (names.includes('(') && !names.includes(')')) {
        let j = i + 1;
        while (j < lines.length && !lines[j]!.includes(')')) names += ' ' + lines[j++]!.replace(/#.*$/, '');
        if (j < lines.length) names += ' ' + lines[j]!.replace(/#.*$/, '');
      }
      const list = names
        .replace(/[()\\]/g, ' ')
        .split(',')
        .map((n) =>
          n
            .trim()
            .split(/\s+as\s+/)[0]!
            .trim(),
        )
        .filter(Boolean);
      out.push({ line: i + 1, module: m[1]!, names: list });
      continue;
    }
    m = /^\s*import\s+(.*)$/.exec(line);
    if (m)
      for (const mod of m[1]!.split(','))
        out.push({
          line: i + 1,
          module: mod
            .trim()
            .split(/\s+as\s+/)[0]!
            .trim(),
          names: [],
        });
  }
  return out;
}
