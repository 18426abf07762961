// `.helmignore` rules with helm's semantics (pkg/ignore): one rule per line, `#` comments, `!` negation,
// trailing `/` for directories only, leading `/` or any `/` for a full-path match, otherwise a match on
// the base name; globs are Go `filepath.Match` patterns (`*`/`?` never cross `/`, `[...]` classes,
// `\` escapes, no `**`). First matching rule decides; `templates/.?*` is always appended.
import { KxError } from '../errors/index.js';

export const HELMIGNORE = '.helmignore';

export interface Rule {
  raw: string;
  /** 1-based line in .helmignore (undefined for the built-in default rule). */
  line?: number;
  negate: boolean;
  mustDir: boolean;
  mode: 'path' | 'base';
  re: RegExp;
}

function escapeRe(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Translate a Go `filepath.Match` pattern to an anchored RegExp; throws on a malformed pattern. */
export function goGlobToRegExp(pattern: string): RegExp {
  const chars = [...pattern];
  let re = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) throw new Error('syntax error in pattern');
      re += escapeRe(next);
    } else if (c === '[') {
      i++;
      let negate = false;
      if (chars[i] === '^') {
        negate = true;
        i++;
      }
      const parts: string[] = [];
      let first = true;
      for (;;) {
        let ch = chars[i];
        if (ch === undefined) throw new Error('syntax error in pattern');
        if (ch === ']' && !first) break;
        first = false;
        if (ch === '-' || ch === ']') throw new Error('syntax error in pattern');
        if (ch === '\\') {
          ch = chars[++i];
          if (ch === undefined) throw new Error('syntax error in pattern');
        }
        const lo = ch;
        let hi = ch;
        i++;
        if (chars[i] === '-') {
          i++;
          let h = chars[i];
          if (h === undefined || h === ']' || h === '-') throw new Error('syntax error in pattern');
          if (h === '\\') {
            h = chars[++i];
            if (h === undefined) throw new Error('syntax error in pattern');
          }
          hi = h;
          i++;
          if ((lo.codePointAt(0) as number) > (hi.codePointAt(0) as number)) throw new Error('syntax error in pattern');
        }
        parts.push(lo === hi ? escapeRe(lo) : `${escapeRe(lo)}-${escapeRe(hi)}`);
        void lo;
      }
      re += `[${negate ? '^' : ''}${parts.join('')}]`;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'su');
}

export class IgnoreRules {
  private readonly rules: Rule[] = [];

  /** Parse `.helmignore` text; `file` is used in error messages (with the line number). */
  static parse(text: string, file = HELMIGNORE): IgnoreRules {
    const r = new IgnoreRules();
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    lines.forEach((line, i) => {
      try {
        r.addRule(line, i + 1);
      } catch (e) {
        throw new KxError(`${(e as Error).message} in ${HELMIGNORE} rule ${JSON.stringify(line.trim())}`, {
          file,
          line: i + 1,
        });
      }
    });
    return r;
  }

  static empty(): IgnoreRules {
    return new IgnoreRules();
  }

  /** Append helm's default rule (dot files directly inside templates/). */
  addDefaults(): this {
    this.addRule('templates/.?*');
    return this;
  }

  get size(): number {
    return this.rules.length;
  }

  addRule(line: string, lineNumber?: number): void {
    let rule = line.trim();
    if (rule === '' || rule.startsWith('#')) return;
    if (rule.includes('**')) throw new Error('double-star (**) syntax is not supported');
    goGlobToRegExp(rule);
    const raw = rule;
    let negate = false;
    let mustDir = false;
    if (rule.startsWith('!')) {
      negate = true;
      rule = rule.slice(1);
    }
    if (rule.endsWith('/')) {
      mustDir = true;
      rule = rule.slice(0, -1);
    }
    let mode: Rule['mode'] = 'base';
    if (rule.startsWith('/')) {
      mode = 'path';
      rule = rule.slice(1);
    } else if (rule.includes('/')) mode = 'path';
    this.rules.push({
      raw,
      negate,
      mustDir,
      mode,
      re: goGlobToRegExp(rule),
      ...(lineNumber ? { line: lineNumber } : {}),
    });
  }

  /** Is the chart-relative `/`-path ignored? `isDir` says whether it names a directory. */
  ignores(path: string, isDir: boolean): boolean {
    return this.matchingRule(path, isDir) !== undefined;
  }

  /** The rule that makes `ignores(path, isDir)` true, for messages; undefined when not ignored. */
  matchingRule(path: string, isDir: boolean): Rule | undefined {
    if (path === '' || path === '.' || path === './') return undefined;
    for (const r of this.rules) {
      const subject = r.mode === 'base' ? goBase(path) : path;
      const matched = r.re.test(subject);
      if (r.negate) {
        if (r.mustDir && !isDir) return r;
        if (!matched) return r;
        continue;
      }
      if (r.mustDir && !isDir) continue;
      if (matched) return r;
    }
    return undefined;
  }
}

/** Go `filepath.Base` for `/` paths. */
function goBase(p: string): string {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return p === '' ? '.' : '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
