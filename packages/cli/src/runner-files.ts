// The file formats a GitHub runner hands a JavaScript action: GITHUB_OUTPUT / GITHUB_STATE /
// GITHUB_ENV hold `name=value` lines or `name<<DELIMITER` heredocs (what @actions/core writes).
import { KxError } from '@kaapana-ext/core';

export function parseRunnerFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j]!.replace(/\r$/, '') !== delim; j++) body.push(lines[j]!);
      if (j >= lines.length)
        throw new KxError(`unterminated value of "${name}" (no closing ${delim})`, { file, line: i + 1 });
      out[name!] = body.join('\n');
      i = j;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new KxError(`malformed line "${line}"`, { file, line: i + 1 });
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
