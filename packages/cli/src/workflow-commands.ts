// Workflow commands an action prints on stdout (`::group::`, `::error file=..::msg`,
// `::add-mask::`, ...), parsed so the CLI can show them as a person-friendly log.
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

/** The command of a log line, or undefined for a plain line. */
export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) return undefined;
  const properties: Record<string, string> = {};
  if (m[2]) {
    for (const part of m[2].split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) properties[part.slice(0, eq).trim()] = unescapeProperty(part.slice(eq + 1));
    }
  }
  return { command: m[1]!, properties, message: unescapeData(m[3] ?? '') };
}

/** `file:line: message` for annotations. */
export function formatAnnotation(c: WorkflowCommand): string {
  const file = c.properties.file;
  const line = c.properties.line ?? c.properties.startLine;
  const where = file ? `${file}${line ? `:${line}` : ''}: ` : '';
  const title = c.properties.title ? `${c.properties.title}: ` : '';
  return `${c.command}: ${where}${title}${c.message}`;
}
