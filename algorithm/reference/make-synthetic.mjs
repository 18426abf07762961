#!/usr/bin/env node
// Writes the synthetic edge-case volumes of the regression set (algorithm/test/data/synthetic/*.mha,
// MetaImage with inline data) from fixed formulas and a fixed xorshift32 seed: constant images,
// exact ties, 8-bit ranges, float32 rounding of the threshold, a float64 range so narrow that ITK's
// float bin edges collapse, and 32-bit extremes. ITK's expected values for them are computed by
// regenerate-expected.mjs like for the real data; run this first only when the formulas change.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'data', 'synthetic');
mkdirSync(out, { recursive: true });

let s = 2463534242;
const rand = () => {
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  s >>>= 0;
  return s / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

const MET = {
  Int8Array: 'MET_CHAR',
  Uint8Array: 'MET_UCHAR',
  Int16Array: 'MET_SHORT',
  Uint16Array: 'MET_USHORT',
  Int32Array: 'MET_INT',
  Uint32Array: 'MET_UINT',
  Float32Array: 'MET_FLOAT',
  Float64Array: 'MET_DOUBLE',
};

function write(name, size, data) {
  const header = [
    'ObjectType = Image',
    `NDims = ${size.length}`,
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    'CompressedData = False',
    `DimSize = ${size.join(' ')}`,
    `ElementSpacing = ${size.map(() => '0.5').join(' ')}`,
    `Offset = ${size.map((_, i) => -10 * (i + 1)).join(' ')}`,
    `ElementType = ${MET[data.constructor.name]}`,
    'ElementDataFile = LOCAL',
    '',
  ].join('\n');
  writeFileSync(join(out, `${name}.mha`), Buffer.concat([Buffer.from(header), Buffer.from(data.buffer)]));
}

const N = 16 * 16 * 4;
const size = [16, 16, 4];
const fill = (Ctor, f) => {
  const a = new Ctor(N);
  for (let i = 0; i < N; i++) a[i] = f(i);
  return a;
};

write(
  'constant-int16',
  size,
  fill(Int16Array, () => 7),
);
write(
  'constant-float32',
  size,
  fill(Float32Array, () => 0.1),
);
write(
  'two-values-uint8',
  size,
  fill(Uint8Array, (i) => (i < N / 2 ? 0 : 255)),
);
// Three equal clusters: the between-class variance is the same at both gaps, an exact tie.
write(
  'three-cluster-tie-int16',
  size,
  fill(Int16Array, (i) => [-100, 0, 100][i % 3]),
);
write(
  'bimodal-float32',
  size,
  fill(Float32Array, (i) => (i % 5 < 2 ? 40 : 110) + 9.5 * gauss()),
);
write(
  'noise-int8',
  size,
  fill(Int8Array, () => Math.max(-128, Math.min(127, Math.round(30 * gauss())))),
);
write(
  'wide-uint16',
  size,
  fill(Uint16Array, (i) => (i % 7 < 3 ? 1000 : 50000) + Math.round(2000 * gauss())),
);
// Values 1e6 + k·1e-7: float interval arithmetic collapses several bin edges onto each other.
write(
  'narrow-range-float64',
  size,
  fill(Float64Array, (i) => 1e6 + (i % 37) * 1e-7),
);
write(
  'extremes-int32',
  size,
  fill(Int32Array, (i) => (i % 3 === 0 ? -2147483648 : i % 3 === 1 ? 2147483647 : Math.round(1e9 * gauss()))),
);
write(
  'extremes-uint32',
  size,
  fill(Uint32Array, (i) => (i % 2 ? 4294967295 : Math.floor(rand() * 4294967295))),
);
process.stderr.write(`wrote ${out}\n`);
