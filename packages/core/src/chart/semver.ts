// Chart versions and version constraints with the semantics of Masterminds/semver v3 (what helm uses),
// evaluated through node-semver. Masterminds is more lenient than node-semver when parsing versions
// (`v1.2`, `1`, `1.2` are valid) and its constraint language differs (`1.2` alone means `~1.2`,
// commas mean AND, `||` OR, hyphen ranges, `!=`, prereleases only when the OR-group names one), so each
// atomic constraint is translated here into a node-semver range and the groups are combined by hand.
import semver from 'semver';

export interface ChartSemver {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
  metadata: string;
  original: string;
}

const LOOSE_VERSION =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds `NewVersion` (coercing mode): returns the parsed version or an error message. */
export function parseChartVersion(v: string): ChartSemver | { error: string } {
  if (v === '') return { error: 'version string empty' };
  const m = LOOSE_VERSION.exec(v);
  if (!m) return { error: 'Invalid Semantic Version' };
  const pre = m[5] ?? '';
  const meta = m[8] ?? '';
  if (pre !== '') {
    for (const part of pre.split('.')) {
      if (part === '') return { error: 'invalid prerelease string' };
      if (/^[0-9]+$/.test(part) && part.length > 1 && part.startsWith('0'))
        return { error: 'Version segment starts with 0' };
    }
  }
  const num = (s: string | undefined) => (s ? Number(s.replace(/^\./, '')) : 0);
  return { major: num(m[1]), minor: num(m[2]), patch: num(m[3]), prerelease: pre, metadata: meta, original: v };
}

export function isChartSemver(v: ChartSemver | { error: string }): v is ChartSemver {
  return !('error' in v);
}

/** The node-semver spelling of a parsed version (build metadata dropped, as for comparisons). */
export function normalisedVersion(v: ChartSemver): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ''}`;
}

/** Compare two chart versions (-1, 0, 1); unparsable versions sort lowest, as in helm's index. */
export function compareChartVersions(a: string, b: string): number {
  const pa = parseChartVersion(a);
  const pb = parseChartVersion(b);
  const oka = isChartSemver(pa);
  const okb = isChartSemver(pb);
  if (!oka || !okb) return oka === okb ? 0 : oka ? 1 : -1;
  return semver.compare(normalisedVersion(pa), normalisedVersion(pb));
}

// Constraint grammar, ported from Masterminds' regular expressions.
const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const CONSTRAINT = new RegExp(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const RANGE = new RegExp(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`, 'g');
const FIND = new RegExp(String.raw`(${OPS})\s*(${CV})`, 'g');
const VALID = new RegExp(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);

interface Atom {
  op: string;
  /** Version part as written. */
  text: string;
  /** node-semver range equivalent (for `!=`: the range that must NOT match). */
  range: string;
  negate: boolean;
  hasPre: boolean;
  /** For `!=` on a partial version with a prerelease: only versions with this prerelease are excluded. */
  prerelease?: string;
}

export interface ChartConstraint {
  original: string;
  groups: Atom[][];
}

const isX = (s: string | undefined) => s === 'x' || s === 'X' || s === '*';

function parseAtom(c: string): Atom {
  const m = CONSTRAINT.exec(c);
  if (!m) throw new Error(`improper constraint: ${c}`);
  const op = m[1] ?? '';
  const text = m[2] ?? '';
  const major = m[3] ?? '';
  const minor = (m[4] ?? '').replace(/^\./, '');
  const patch = (m[5] ?? '').replace(/^\./, '');
  const pre = m[6] ?? '';
  // Masterminds keeps the prerelease only when the version is fully specified.
  let ver: string;
  if (isX(major) || major === '') ver = '*';
  else if (isX(minor) || minor === '') ver = `${Number(major)}`;
  else if (isX(patch) || patch === '') ver = `${Number(major)}.${Number(minor)}`;
  else {
    const parsed = parseChartVersion(`${major}.${minor}.${patch}${pre}`);
    if (!isChartSemver(parsed)) throw new Error('constraint parser error');
    ver = normalisedVersion(parsed);
  }
  const dirty = !/^\d+\.\d+\.\d+/.test(ver);
  // Masterminds keeps the prerelease of a partial version too (`4.1-alpha` = 4.1.0-alpha, patch dirty).
  const hasPre = pre !== '';
  let range: string;
  let negate = false;
  switch (op) {
    case '':
    case '=':
      range = dirty ? `~${ver}` : `=${ver}`;
      break;
    case '!=':
      negate = true;
      range = dirty ? ver : `=${ver}`;
      if (dirty && pre && /^\d+\.\d+$/.test(ver)) return { op, text, range, negate, hasPre, prerelease: pre.slice(1) };
      break;
    case '=>':
      range = `>=${ver}`;
      break;
    case '=<':
      range = `<=${ver}`;
      break;
    case '~>':
    case '~':
      // Masterminds: `~0.0.0` accepts everything.
      range = ver === '0.0.0' ? '*' : `~${ver}`;
      break;
    default:
      range = ver === '*' && (op === '~' || op === '^') ? '*' : `${op}${ver}`;
  }
  if (ver === '*' && (op === '>' || op === '<')) {
    // `>*` can never be satisfied in Masterminds; `<*` neither.
    range = '<0.0.0-0';
  }
  return { op, text, range, negate, hasPre };
}

/** Parse a Masterminds constraint string; throws Error with Masterminds' wording when improper. */
export function parseConstraint(input: string): ChartConstraint {
  const rewritten = input.replace(RANGE, (_all, lo: string, ...rest: unknown[]) => {
    const hi = rest[9] as string;
    return `>= ${lo}, <= ${hi} `;
  });
  const groups: Atom[][] = [];
  for (const group of rewritten.split('||')) {
    if (!VALID.test(group)) throw new Error(`improper constraint: ${group}`);
    const found = group.match(FIND) ?? [group];
    groups.push(found.map(parseAtom));
  }
  return { original: input, groups };
}

/** Does `version` satisfy the constraint (Masterminds `Constraints.Check`)? */
export function satisfiesConstraint(version: string | ChartSemver, constraint: ChartConstraint): boolean {
  const parsed = typeof version === 'string' ? parseChartVersion(version) : version;
  if (!isChartSemver(parsed)) return false;
  const v = normalisedVersion(parsed);
  return constraint.groups.some((group) => {
    const includePrerelease = group.some((a) => a.hasPre);
    if (parsed.prerelease && !includePrerelease) return false;
    return group.every((a) => {
      const inRange = semver.satisfies(v, a.range, { includePrerelease });
      if (a.prerelease !== undefined) return !(inRange && parsed.prerelease === a.prerelease);
      return inRange !== a.negate;
    });
  });
}
