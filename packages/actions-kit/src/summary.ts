// The job summary: markdown appended to GITHUB_STEP_SUMMARY (a no-op outside a runner), and the
// cell escaping every summary table uses.
import * as core from '@actions/core';

/** Markdown-safe table cell. */
export function cell(text: string | number | undefined): string {
  return String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
}

/** Append markdown to the job summary; a no-op outside a runner (no GITHUB_STEP_SUMMARY). */
export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('no GITHUB_STEP_SUMMARY: job summary not written');
    return;
  }
  await core.summary.addRaw(markdown).write();
}
