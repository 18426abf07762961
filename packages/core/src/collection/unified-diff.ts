// Unified diff of one file before and after an edit (git style `a/…` / `b/…` headers), made with
// the `diff` library. Empty string when nothing changed. Only formatting lives here.
import { createTwoFilesPatch } from 'diff';

/** `--- a/<path>` / `+++ b/<path>` unified diff with 3 lines of context; '' when identical. */
export function unifiedDiff(displayPath: string, before: string, after: string): string {
  if (before === after) return '';
  const path = displayPath.replace(/\\/g, '/');
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
  // The library starts with an `Index:`/`===` preamble; keep the part `git apply` and reviewers expect.
  return patch.slice(patch.indexOf('--- '));
}
