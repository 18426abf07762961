// Method `copy` (the seed's step 4.1, and the only way at Kaapana 0.1.x, which has no upload): put a
// chart archive into the platform's extensions directory (`<FAST_DATA_DIR>/extensions`, default
// /home/kaapana/extensions), where kube-helm lists every `*.tgz`. Never a half-written `.tgz`: the
// bytes go to a hidden temp name in the same directory (not ending in .tgz) and are renamed into
// place only when complete — locally with writeFileAtomic, over SSH with a small POSIX sh script
// that checks the byte count (and sha256 where sha256sum exists) before `mv`. SSH uses the runner's
// OpenSSH client with a throw-away config: the given key only, batch mode, and the pinned
// known_hosts only (StrictHostKeyChecking=yes: an unknown or changed host key is refused, never
// accepted). Key and known_hosts live in a private temp dir (0700/0600) removed afterwards.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KxError, errorMessage } from '../errors/index.js';
import { ExecStartError, nodeExec, type Exec } from '../exec/index.js';
import { writeFileAtomic } from '../fsutil/index.js';
import { assertSafeFileName } from './chart-files.js';

export const DEFAULT_EXTENSIONS_DIR = '/home/kaapana/extensions';

export async function copyToLocalDir(dir: string, fileName: string, data: Buffer): Promise<string> {
  assertSafeFileName(fileName, 'file name');
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new KxError(
      `copy: the extensions directory ${dir} does not exist on this runner (a self-hosted runner on the platform host needs FAST_DATA_DIR/extensions, default ${DEFAULT_EXTENSIONS_DIR})`,
    );
  const target = join(dir, fileName);
  await writeFileAtomic(target, data, { mode: 0o644 }).catch((e: unknown) => {
    throw new KxError(`copy: could not write ${target}: ${errorMessage(e)}`);
  });
  return target;
}

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key (OpenSSH/PEM text). */
  key: string;
  /** known_hosts lines pinning the host key (e.g. from `ssh-keyscan -p <port> <host>`). */
  knownHosts: string;
  /** ssh executable (default `ssh` from PATH). */
  ssh?: string;
  connectTimeoutSec?: number;
  /** Parent of the private temp dir for key and known_hosts (default RUNNER_TEMP or the OS temp dir). */
  tempParent?: string;
}

/** A word for POSIX sh, single-quoted. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The remote script: stream stdin to a temp name, check, rename into place. */
export function remoteCopyScript(dir: string, fileName: string, size: number, sha256: string): string {
  return [
    'set -e',
    'umask 022',
    `d=${shQuote(dir)}`,
    `f=${shQuote(fileName)}`,
    '[ -d "$d" ] || { echo "the extensions directory $d does not exist on the host" >&2; exit 3; }',
    't="$d/.$f.kx-$$.part"',
    `trap 'rm -f "$t"' EXIT HUP INT TERM`,
    'cat > "$t"',
    's=$(wc -c < "$t" | tr -d " ")',
    `[ "$s" = ${size} ] || { echo "received $s of ${size} bytes" >&2; exit 4; }`,
    `if command -v sha256sum >/dev/null 2>&1; then h=$(sha256sum "$t" | cut -d" " -f1); [ "$h" = ${sha256} ] || { echo "sha256 $h differs from ${sha256}" >&2; exit 5; }; fi`,
    'mv -f "$t" "$d/$f"',
    'trap - EXIT',
    'echo "delivered $d/$f"',
  ].join('; ');
}

export function sshArgs(t: SshTarget, keyFile: string, knownHostsFile: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    keyFile,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'UpdateHostKeys=no',
    '-o',
    `ConnectTimeout=${t.connectTimeoutSec ?? 20}`,
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(t.port),
    '-l',
    t.user,
    '--',
    t.host,
  ];
}

/** Validates the parts of an SSH target that become arguments. */
export function checkSshTarget(t: SshTarget): void {
  if (!/^[A-Za-z0-9.:_-]+$/.test(t.host) || t.host.startsWith('-'))
    throw new KxError(`ssh-host "${t.host}" is not a host name or address`);
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(t.user)) throw new KxError(`ssh-user "${t.user}" is not a user name`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new KxError(`ssh-port ${t.port} is not a port`);
  if (!t.key.trim())
    throw new KxError('ssh-key is empty: give the private key (from a secret) for method copy over SSH');
  if (!t.knownHosts.trim()) {
    throw new KxError(
      'ssh-known-hosts is empty: pin the host key (e.g. the output of `ssh-keyscan -p <port> <host>`, checked out of band); host keys are never accepted blindly',
    );
  }
}

export class SshCopier {
  private dir: string | undefined;

  constructor(readonly target: SshTarget) {
    checkSshTarget(target);
  }

  /** The ssh command line (for dry runs and logs): key and known_hosts as temp file names only. */
  commandLine(dir: string, fileName: string): string {
    return [
      'ssh',
      ...sshArgs(this.target, '<key file>', '<known_hosts file>'),
      `<script: stream to ${dir}/.${fileName}.kx-<pid>.part, check size and sha256, mv to ${dir}/${fileName}>`,
    ].join(' ');
  }

  private async files(): Promise<{ key: string; knownHosts: string }> {
    if (!this.dir) {
      this.dir = await mkdtemp(join(this.target.tempParent ?? (process.env['RUNNER_TEMP'] || tmpdir()), 'kx-ssh-'));
      const key = this.target.key.replace(/\r\n/g, '\n');
      await writeFile(join(this.dir, 'key'), key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
      await writeFile(join(this.dir, 'known_hosts'), `${this.target.knownHosts.trim()}\n`, { mode: 0o600 });
    }
    return { key: join(this.dir, 'key'), knownHosts: join(this.dir, 'known_hosts') };
  }

  async copy(dir: string, fileName: string, data: Buffer): Promise<string> {
    assertSafeFileName(fileName, 'file name');
    const files = await this.files();
    const sha = createHash('sha256').update(data).digest('hex');
    const args = [
      ...sshArgs(this.target, files.key, files.knownHosts),
      remoteCopyScript(dir, fileName, data.length, sha),
    ];
    const r = await run(this.target.ssh ?? 'ssh', args, data, 10 * 60_000);
    const where = `${this.target.user}@${this.target.host}:${this.target.port}`;
    if (r.code !== 0) {
      const err = r.stderr.trim() || r.stdout.trim();
      const hint = /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(
        err,
      )
        ? ' (the host key is not the one pinned in ssh-known-hosts; entries for a port other than 22 look like "[host]:port type key")'
        : /Permission denied/i.test(err)
          ? ' (the key was refused for that user)'
          : '';
      throw new KxError(
        `copy over SSH to ${where} failed (exit ${r.code ?? r.signal})${hint}: ${err.split('\n').slice(-5).join(' ')}; nothing was renamed into ${dir}`,
      );
    }
    return `${where}:${dir.replace(/\/+$/, '')}/${fileName}`;
  }

  async close(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

async function run(
  cmd: string,
  args: string[],
  input: Buffer,
  timeoutMs: number,
  exec: Exec = nodeExec,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  try {
    const r = await exec(cmd, args, { input, timeoutMs });
    return { code: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const why = e instanceof ExecStartError && e.cause instanceof Error ? e.cause.message : errorMessage(e);
    throw new KxError(`could not start ${cmd}: ${why} (method copy over SSH needs the OpenSSH client on the runner)`);
  }
}
