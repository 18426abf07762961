// Glob matching of slash-separated relative paths, through picomatch: `*` and `?` stay within one
// path segment, `**` spans any number, `[...]` classes, dot files included. Used wherever a user
// names files by pattern (Dockerfiles, ignore patterns, chart directories).
import picomatch from 'picomatch';
import { sep } from 'node:path';

export function isGlobPattern(s: string): boolean {
  return picomatch.scan(s).isGlob;
}

/** A predicate for paths relative to some root (`a/b/Dockerfile`, OS separators accepted). */
export function globMatcher(pattern: string): (relPath: string) => boolean {
  const match = picomatch(pattern.replace(/^\.\//, '').replace(/\/+$/, ''), { dot: true });
  return (relPath) => match(relPath.split(sep).join('/'));
}
