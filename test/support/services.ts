// Whether a test file may run without a service it needs (dockerd, the registry): never silently.
// Under KX_REQUIRE_SERVICES=1 (set by scripts/with-services.sh, hence by `npm test` and .ci/run) a
// missing service fails the test file at once with a message naming it; without it (a bare
// `npx vitest run`) the file's integration tests are skipped and a warning says why.
export const servicesRequired = process.env.KX_REQUIRE_SERVICES === '1';

/** `up`, or an Error under KX_REQUIRE_SERVICES=1, or false with a warning naming `what` and `file`. */
export function needService(what: string, up: boolean, file: string): boolean {
  if (up) return true;
  const where = file.replace(/^file:\/\//, '');
  if (servicesRequired)
    throw new Error(
      `${where}: ${what} is not running and KX_REQUIRE_SERVICES=1; start it (bash scripts/with-services.sh …)`,
    );
  console.warn(
    `${where}: ${what} is not running: its integration tests are SKIPPED (run them through scripts/with-services.sh)`,
  );
  return false;
}
