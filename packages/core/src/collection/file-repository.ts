// The `repository: file://…` value of a collection dependency: the extension chart's directory
// relative to the collection chart's directory, with `/` separators, as `helm dep up` resolves it
// (relative to the chart dir, not the working directory).
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** `file://<path of chartDir relative to collectionDir>`; `file://.` when they are the same. */
export function fileRepository(collectionDir: string, chartDir: string): string {
  const rel = relative(resolve(collectionDir), resolve(chartDir));
  if (rel === '') return 'file://.';
  // On Windows a chart on another drive has no relative path: fall back to the absolute one.
  const path = isAbsolute(rel) ? rel : rel.split(sep).join('/');
  return `file://${path.replace(/\/+$/, '')}`;
}

/** The directory a `file://` repository points to, resolved against the collection directory. */
export function resolveFileRepository(collectionDir: string, repository: string): string | undefined {
  if (!repository.startsWith('file://')) return undefined;
  return resolve(collectionDir, repository.slice('file://'.length).trim());
}
