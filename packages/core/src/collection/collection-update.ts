// The decisions of update-collection's full-collection mode around the edit and the image (the edit
// itself is update-dependency.ts, the image collection-image.ts): the dependency-list edit stays only
// when the image was built (keepEditIfBuilt puts it back otherwise), the default message of its
// commit, and the `<name>-<version>` list a reload must then show (restart-pod's expect-charts).
import type { CollectionImageResult } from './collection-image.js';
import type { UpdateDependencyResult } from './update-dependency.js';

/** The commit message of a collection edit: `message` when given, else `collection: add|bump <name> <version>`. */
export function collectionCommitMessage(edit: Pick<UpdateDependencyResult, 'action' | 'entry'>, message = ''): string {
  return message || `collection: ${edit.action === 'added' ? 'add' : 'bump'} ${edit.entry.name} ${edit.entry.version}`;
}

/**
 * Runs `build` (the plan or the build of the collection image) after the dependency-list edit: when
 * it fails, a written edit is put back byte for byte (`onRestored` is told) and the error rethrown,
 * so only a collection whose image was built keeps the new entry.
 */
export async function keepEditIfBuilt<T>(
  edit: Pick<UpdateDependencyResult, 'changed' | 'restore'>,
  dryRun: boolean,
  build: () => Promise<T>,
  onRestored?: () => void,
): Promise<T> {
  try {
    return await build();
  } catch (e) {
    if (edit.changed && !dryRun) {
      await edit.restore();
      onRestored?.();
    }
    throw e;
  }
}

/**
 * `<name>-<version>` the platform must list after a reload: the chart this run added or bumped, with
 * the version of the archive carried in the image (a listed `0.0.0` stands for the platform version).
 */
export function expectedCharts(
  edit: Pick<UpdateDependencyResult, 'entry'>,
  image: Pick<CollectionImageResult, 'charts'> | undefined,
  platformVersion: string,
): string[] {
  const carried = image?.charts.find((c) => c.name === edit.entry.name);
  if (carried) return [`${carried.name}-${carried.version}`];
  const version = edit.entry.version === '0.0.0' && platformVersion ? platformVersion : edit.entry.version;
  return [`${edit.entry.name}-${version}`];
}
