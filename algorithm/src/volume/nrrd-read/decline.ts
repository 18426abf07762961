// How the NRRD reader gives up on a file: `decline` throws a Decline carrying the reason, which
// readNrrdFastDetailed returns as { declined } (readNrrdFast as undefined: itk-wasm then reads it).

/** Why a file was declined, for tests and debugging. */
export class Decline extends Error {}

export function decline(reason: string): never {
  throw new Decline(reason);
}
