// Running an action's bundle: masking every secret the step's inputs carry before anything else,
// the main/post switch (one bundle serves both steps), and failure reporting — each failure becomes
// exactly one error annotation (with file/line for a KxError) and exit code 1.
import * as core from '@actions/core';
import { isAbsolute, relative } from 'node:path';
import { KxAggregateError, KxError, errorMessage } from '@kaapana-ext/core';
import { redactUrls, secretsInInput } from '@kaapana-ext/core/secrets';

/** Exit code of a failed step (the runner's and the CLI's "a step failed"). */
export const EXIT_FAILURE = 1;

/**
 * Mask (`::add-mask::`) every secret the step's inputs carry: secret-named inputs (password, token,
 * kubeconfig, ...) as a whole, and the userinfo of any URL in any input (`oci://user:pw@host`).
 * Called before anything else runs, so that no later line can show them.
 */
export function maskInputSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('INPUT_') || !v) continue;
    for (const s of secretsInInput(k.slice('INPUT_'.length).toLowerCase(), v)) core.setSecret(s);
  }
}

/**
 * Report a failure: exactly one error annotation per failure (per file/line for the KxErrors of an
 * aggregate), never a second plain `::error::` line as `core.setFailed` would add; exit code 1.
 * Anything that is not a KxError is a bug: its stack goes to the debug log.
 */
export function reportFailure(e: unknown): void {
  const errors = e instanceof KxAggregateError ? e.errors : e instanceof KxError ? [e] : [];
  for (const err of errors) {
    const props: core.AnnotationProperties = { title: 'kaapana-ext' };
    if (err.file) props.file = annotationPath(err.file);
    if (err.line) props.startLine = err.line;
    core.error(err.message, props);
  }
  if (errors.length === 0) {
    if (e instanceof Error && e.stack) core.debug(redactUrls(e.stack));
    core.error(errorMessage(e), { title: 'kaapana-ext' });
  }
  process.exitCode = EXIT_FAILURE;
}

/**
 * GitHub places annotations by paths relative to the workspace: make absolute paths inside
 * GITHUB_WORKSPACE relative; leave others as they are.
 */
export function annotationPath(file: string, workspace = process.env.GITHUB_WORKSPACE): string {
  if (!workspace || !isAbsolute(file)) return file;
  const rel = relative(workspace, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split('\\').join('/');
}

/** One warning annotation per finding (a lint's), placed at its file and line when it names them. */
export function warnFindings(
  findings: Iterable<{ message: string; file?: string; line?: number }>,
  title: string,
): void {
  for (const f of findings)
    core.warning(f.message, {
      title,
      ...(f.file ? { file: annotationPath(f.file), ...(f.line ? { startLine: f.line } : {}) } : {}),
    });
}

const POST_STATE = 'kx-is-post';

/** One bundle, two steps: runs `main` the first time and `post` when the runner calls it again. */
export async function runMainOrPost(main: () => Promise<void>, post?: () => Promise<void>): Promise<void> {
  maskInputSecrets();
  const isPost = core.getState(POST_STATE) === 'true';
  if (!isPost) core.saveState(POST_STATE, 'true');
  try {
    if (isPost) await post?.();
    else await main();
  } catch (e) {
    reportFailure(e);
  }
}
