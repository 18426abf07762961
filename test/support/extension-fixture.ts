// A small Kaapana-style extension for integration tests, written into a temp dir: a local-only
// base (`FROM scratch` + static busybox), and images built FROM it, with Kaapana labels.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxContext } from './docker.js';

export interface FixtureOptions {
  /** Unique suffix so image names do not collide between tests and runs. */
  id: string;
  /** Names of the dependent (pushed) images; default two. */
  apps?: string[];
  /** Extra RUN line per app (e.g. `exit 1` to make one fail). */
  runs?: Record<string, string>;
}

export interface Fixture {
  dir: string;
  base: string;
  apps: string[];
}

export async function writeExtensionFixture(opts: FixtureOptions): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'kx-ext-'));
  const base = `kx-base-${opts.id}`;
  await busyboxContext(
    join(dir, 'base'),
    [
      'FROM scratch',
      'LABEL REGISTRY="local-only"',
      `LABEL IMAGE="${base}"`,
      'LABEL VERSION="0.1.0"',
      'COPY busybox /bin/busybox',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      '',
    ].join('\n'),
  );
  const apps = opts.apps ?? [`kx-app-a-${opts.id}`, `kx-app-b-${opts.id}`];
  for (const [i, app] of apps.entries()) {
    const d = join(dir, 'apps', app);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'payload.txt'), `payload of ${app}\n`);
    await writeFile(
      join(d, 'Dockerfile'),
      [
        `FROM local-only/${base}:${i === 0 ? '0.1.0' : 'latest'}`,
        `LABEL IMAGE="${app}"`,
        'LABEL VERSION="0.1.0"',
        'COPY payload.txt /payload.txt',
        `RUN ${opts.runs?.[app] ?? 'cat /payload.txt'}`,
        '',
      ].join('\n'),
    );
  }
  return { dir, base, apps };
}
