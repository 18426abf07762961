// A real OpenSSH server (Debian openssh-server, installed by scripts/with-services.sh) for tests:
// started on a free loopback port with a throw-away host key and a throw-away user key, key-only
// login for the current user, its own config, pid file and log in a temp dir; stopped by its pid.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  /** Private key of the user (OpenSSH format). */
  userKey: string;
  /** `[127.0.0.1]:<port> <type> <key>` — the pinned known_hosts line. */
  knownHosts: string;
  /** A known_hosts line for the same address with a different key (a host that changed). */
  wrongKnownHosts: string;
  dir: string;
  log(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kx-test', '-f', path], { stdio: 'ignore' });
}

export async function startSshd(): Promise<TestSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'kx-sshd-'));
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  keygen(join(dir, 'other_host_key'));
  await writeFile(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')), { mode: 0o600 });
  // sshd refuses to start without its privilege separation directory (Debian creates it at boot).
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
  const user = userInfo().username;
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    `AllowUsers ${user}`,
    'LogLevel VERBOSE',
    '',
  ].join('\n');
  await writeFile(join(dir, 'sshd_config'), config);
  const logFile = join(dir, 'sshd.log');
  const child: ChildProcess = spawn(SSHD, ['-D', '-f', join(dir, 'sshd_config'), '-E', logFile], { stdio: 'ignore' });
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  // Ready when it accepts connections.
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || i > 100) throw new Error(`sshd did not start: ${readLog()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pub = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return {
    host: '127.0.0.1',
    port,
    user,
    userKey: readFileSync(join(dir, 'user_key'), 'utf8'),
    knownHosts: `[127.0.0.1]:${port} ${pub('host_key.pub')}`,
    wrongKnownHosts: `[127.0.0.1]:${port} ${pub('other_host_key.pub')}`,
    dir,
    log: readLog,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
