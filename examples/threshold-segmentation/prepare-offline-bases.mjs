#!/usr/bin/env node
// Prepare step of the offline build: copies the machine's static busybox into the build contexts
// of the two local-only stand-in bases (platform/dag-installer, collection/base-charts-manager),
// whose Dockerfiles are `FROM scratch`. It owns nothing else: the processing container's
// node-runtime base is staged by the algorithm package's own container script.
// Usage: node examples/threshold-segmentation/prepare-offline-bases.mjs [--busybox <path>]
import { copyFile, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const contexts = ['platform/dag-installer', 'collection/base-charts-manager'];
// The base-installer of the offline Kaapana 0.6.0 double (kaapana-source of the 0.6.0 example); it
// exists only inside a kaapana-ext checkout, not in a user's repository made from this example.
const optionalContexts = ['../../test/kaapana-double-0.6.0/services/utils/base-installer'];

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** True when the ELF file has no PT_INTERP program header, i.e. runs without a dynamic loader. */
async function isStaticElf(path) {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    await fh.read(head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false; // ELF64 only
    const phoff = Number(head.readBigUInt64LE(0x20));
    const phentsize = head.readUInt16LE(0x36);
    const phnum = head.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    await fh.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false;
    return true;
  } finally {
    await fh.close();
  }
}

const candidates = [argValue('--busybox'), process.env.BUSYBOX, '/bin/busybox', '/usr/bin/busybox'].filter(Boolean);
let busybox;
for (const c of candidates) {
  try {
    if ((await stat(c)).isFile()) {
      busybox = c;
      break;
    }
  } catch {
    /* try the next one */
  }
}
if (!busybox) {
  console.error(
    'prepare-offline-bases: no busybox found (tried ' +
      candidates.join(', ') +
      '). ' +
      'Install the static one: apt-get install busybox-static, or pass --busybox <path>.',
  );
  process.exit(1);
}
if (!(await isStaticElf(busybox))) {
  console.error(`prepare-offline-bases: ${busybox} is dynamically linked; a FROM scratch image needs busybox-static.`);
  process.exit(1);
}
for (const ctx of optionalContexts) {
  if (
    await stat(join(here, ctx)).then(
      (st) => st.isDirectory(),
      () => false,
    )
  )
    contexts.push(ctx);
}
for (const ctx of contexts) {
  const target = join(here, ctx, 'busybox');
  await copyFile(busybox, target);
  console.log(`prepare-offline-bases: ${busybox} -> ${target}`);
}
