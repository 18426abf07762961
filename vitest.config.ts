// Test configuration: one run covers unit tests (fast, no daemons) and integration tests
// (real dockerd + registry on 127.0.0.1, started by scripts/with-services.sh).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * Worker threads: production code starts a worker from its compiled module next to it
 * (`new Worker(new URL('./name.js', import.meta.url))`, found in lib/ and in a bundle). Tests run the
 * TypeScript sources, where no such .js exists, so the URL is pointed at an esbuild bundle of
 * `name.ts` (what the container bundle does with the same entry point).
 */
function workerModules(): Plugin {
  const pattern = /new Worker\(new URL\('(\.\/[\w.-]+)\.js', import\.meta\.url\)/g;
  return {
    name: 'kx-worker-modules',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('.ts') || !code.includes('new Worker(new URL(')) return null;
      return code.replace(pattern, (whole, rel: string) => {
        const source = resolve(dirname(id), `${rel}.ts`);
        if (!existsSync(source)) return whole;
        const built = buildSync({
          entryPoints: [source],
          bundle: true,
          platform: 'node',
          format: 'esm',
          packages: 'external',
          write: false,
        });
        const text = built.outputFiles[0]!.contents;
        const dir = join(tmpdir(), 'kx-vitest-workers');
        const file = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
        if (!existsSync(file)) {
          mkdirSync(dir, { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, text);
          renameSync(tmp, file);
        }
        return `new Worker(new URL(${JSON.stringify(pathToFileURL(file).href)})`;
      });
    },
  };
}

export default defineConfig({
  plugins: [workerModules()],
  // Workspace packages resolve to their TypeScript sources (the `source` export condition), never
  // to a possibly stale lib/.
  resolve: { conditions: ['source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'import', 'module', 'node', 'default'], externalConditions: ['source'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'algorithm/test/**/*.test.ts',
      'action-*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
