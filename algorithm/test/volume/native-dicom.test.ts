// The native-syntax DICOM reader (src/volume/native-dicom/) against itk-wasm's GDCM reader on real
// files: every DICOM sample of test/data and variants made here with dcmtk (dcmodify, dcmconv):
// rescale slope/intercept giving each pixel type, pixel representation, 12 of 16 bits stored with
// negative values, big endian, implicit VR, deflate, MONOCHROME1, spacing/position/orientation
// edits, shuffled and re-encoded series, slices sharing positions (GDCM's fall-backs to Instance
// Number and file name order). Each case: the native reader declines (undefined) or returns exactly
// what readDicomSeriesCached returns (pixel type, geometry bit for bit, voxels byte for byte, sorted
// file names), with and without the headers dicom-scan.ts parsed. The common cases must not
// decline, so the fast path is really used.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import type { Image } from 'itk-wasm';
import {
  readNativeDicomSeries,
  type NativeHeader,
  type NativeSeriesResult,
} from '../../src/volume/native-dicom/index.js';
import { scanDicomFile, scannedNativeHeader } from '../../src/volume/dicom-scan.js';
import { readDicomSeriesCached } from '../../src/volume/wasm-pipelines.js';
import { readVolumes } from '../../src/volume/read-volume.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', 'data');
const series = join(data, 'series');
const work = mkdtempSync(join(tmpdir(), 'kx-native-dicom-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** read: the native reader must accept it; decline: must not; either: whichever, but exact when it reads. */
type Expect = 'read' | 'decline' | 'either';
interface Case {
  name: string;
  expect: Expect;
  /** Builds the files (absolute paths, in the order handed to both readers). */
  files: () => string[];
}

const cases: Case[] = [];
const add = (name: string, expect: Expect, files: () => string[]) => cases.push({ name, expect, files });

function dir(name: string): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  return d;
}

function dcmodify(file: string, args: string[]): void {
  execFileSync('dcmodify', ['-nb', '-q', ...args, file], { stdio: 'pipe' });
}

/** Copy of `base` with dcmodify edits (`-m`/`-i`/`-e` arguments) and an optional dcmconv re-encoding. */
function variant(name: string, base: string, edits: string[] = [], convert?: string): string {
  const out = join(dir('single'), name);
  const edited = convert ? `${out}.orig` : out;
  copyFileSync(base, edited);
  if (edits.length > 0) dcmodify(edited, edits);
  if (convert) execFileSync('dcmconv', ['-q', convert, edited, out], { stdio: 'pipe' });
  return out;
}

/** The files of a sample series directory copied under new names, each edited / re-encoded. */
function seriesVariant(
  name: string,
  source: string,
  opts: {
    rename?: (i: number) => string;
    edit?: (i: number) => string[];
    convert?: (i: number) => string | undefined;
  } = {},
): string[] {
  const d = dir(name);
  return readdirSync(source)
    .sort()
    .map((f, i) => {
      const out = join(d, opts.rename ? opts.rename(i) : f);
      const conv = opts.convert?.(i);
      const edited = conv ? join(work, `${name}-${i}.orig`) : out;
      copyFileSync(join(source, f), edited);
      const edits = opts.edit?.(i) ?? [];
      if (edits.length > 0) dcmodify(edited, edits);
      if (conv) execFileSync('dcmconv', ['-q', conv, edited, out], { stdio: 'pipe' });
      return out;
    });
}

const filesOf = (d: string) =>
  readdirSync(d)
    .sort()
    .map((f) => join(d, f));

// --- the samples themselves ---------------------------------------------------------------------
const SAMPLES: Record<string, Expect> = {
  'ct-small.dcm': 'read', // CT int16, intercept −1024 → int32
  'mr-small-explicit-le.dcm': 'read',
  'mr-small-big-endian.dcm': 'read',
  'mr-rescale-slope2.dcm': 'read', // SOP class only in the meta header; 12 of 16 bits; slope 2
  'cr-monochrome1-rescaled.dcm': 'read', // MONOCHROME1 (inverted) + slope 0.684 → float64
  'ot-deflate.dcm': 'read', // deflated secondary capture, uint8
  'rtdose-multiframe.dcm': 'decline', // multi-frame (GridFrameOffsetVector spacing)
  'ct-jpeg2000-lossy.dcm': 'decline',
  'ct-jpeg2000-pixelrep-mismatch.dcm': 'decline',
  'mr-small-jpeg-ls-lossless.dcm': 'decline',
  'mr-small-jpeg2000-lossless.dcm': 'decline',
  'mr-small-rle.dcm': 'decline',
  'nm-jpeg2000-lossy.dcm': 'decline',
  'xa-jpeg-lossless-multiframe.dcm': 'decline', // JPEG lossless, 4 frames
};
for (const [file, expect] of Object.entries(SAMPLES)) add(`sample ${file}`, expect, () => [join(data, file)]);
add('sample bad/rtplan-no-pixel-data.dcm', 'decline', () => [join(data, 'bad', 'rtplan-no-pixel-data.dcm')]);
add('sample series/ct5n (names opposite to positions)', 'read', () => filesOf(join(series, 'ct5n')));
add('sample series/ct-uneven (uneven gaps)', 'read', () => filesOf(join(series, 'ct-uneven')));
add('sample series/mr-siemens-2slice (oblique, 12 of 16 bits)', 'read', () =>
  filesOf(join(series, 'mr-siemens-2slice')),
);
add('sample series/mr-mosaic-b0dwi (all at one position: Instance Number order)', 'read', () =>
  filesOf(join(series, 'mr-mosaic-b0dwi')),
);
add(
  'sample series/mr-asl-one-position (oblique; one Part-10 file, one without File Meta, at one position)',
  'read',
  () => filesOf(join(series, 'mr-asl-one-position')),
);
add('sample series/mr-asl-one-position/0001-implicit-no-meta.dcm (real file without File Meta)', 'read', () => [
  join(series, 'mr-asl-one-position', '0001-implicit-no-meta.dcm'),
]);
add('sample series/mr-three-series, one-slice series', 'read', () => [join(series, 'mr-three-series', '15970')]);
add('sample series/mr-three-series, tri-planar localizers', 'either', () =>
  ['4950', '4981', '5011'].map((f) => join(series, 'mr-three-series', f)),
);

// --- single-file variants -----------------------------------------------------------------------
const CT = join(data, 'ct-small.dcm'); // int16, 16 bits stored, intercept −1024
const MR = join(data, 'mr-small-explicit-le.dcm'); // int16, 16 bits stored, no rescale, values 127…2145
const OT = join(data, 'ot-deflate.dcm'); // uint8 secondary capture, no geometry
const CR = join(data, 'cr-monochrome1-rescaled.dcm'); // uint16 12 bits, MONOCHROME1, 0.684 / 200
const MR2 = join(data, 'mr-rescale-slope2.dcm');
const rescale = (intercept: string, slope: string) => ['-i', `(0028,1052)=${intercept}`, '-i', `(0028,1053)=${slope}`];
const bits = (stored: number, representation?: number) => [
  '-m',
  `(0028,0101)=${stored}`,
  '-m',
  `(0028,0102)=${stored - 1}`,
  ...(representation === undefined ? [] : ['-m', `(0028,0103)=${representation}`]),
];
const MONO1 = ['-m', '(0028,0004)=MONOCHROME1'];
/** Fewer rows/columns than the pixel data holds: GDCM (and the native reader) use the first bytes. */
const size = (rows: number, columns: number) => ['-m', `(0028,0010)=${rows}`, '-m', `(0028,0011)=${columns}`];
const SINGLE: [string, Expect, string, string[], string?][] = [
  // pixel type from rescale: each ITK output type
  ['ct no rescale → int16', 'read', CT, ['-e', '(0028,1052)', '-e', '(0028,1053)']],
  ['ct 0/1 → int16', 'read', CT, rescale('0', '1')],
  ['ct slope 2.5 → float64', 'read', CT, rescale('-1024', '2.5')],
  ['ct intercept 0.5 → float64', 'read', CT, rescale('0.5', '1')],
  ['ct slope −1 → int32', 'read', CT, rescale('0', '-1')],
  ['ct 100/2 → int32', 'read', CT, rescale('100', '2')],
  ['ct slope 0 (→ 1)', 'read', CT, rescale('-1024', '0')],
  ['ct empty slope', 'read', CT, ['-m', '(0028,1053)=']],
  ['ct pixel representation 0 → int32', 'read', CT, ['-m', '(0028,0103)=0']],
  ['ct pixel representation 0, no intercept → uint16', 'read', CT, ['-m', '(0028,0103)=0', ...rescale('0', '1')]],
  ['ct 12 bits stored, signed (sign extension)', 'read', CT, bits(12)],
  ['ct 12 bits stored, unsigned (masking)', 'read', CT, bits(12, 0)],
  ['ct high bit ≠ bits stored − 1', 'decline', CT, ['-m', '(0028,0101)=12', '-m', '(0028,0102)=13']],
  ['ct MONOCHROME1 signed', 'read', CT, MONO1],
  ['ct pixel padding value', 'read', CT, ['-i', '(0028,0120)=-2000']],
  ['ct number of frames 1', 'read', CT, ['-i', '(0028,0008)=1']],
  ['ct no spacing between slices', 'read', CT, ['-e', '(0018,0088)']],
  ['ct anisotropic pixel spacing (row\\column order)', 'read', CT, ['-m', '(0028,0030)=0.5\\0.8']],
  ['ct single-valued pixel spacing', 'read', CT, ['-m', '(0028,0030)=0.7']],
  ['ct pixel spacing 0 (→ 1)', 'read', CT, ['-m', '(0028,0030)=0\\0.5']],
  ['ct pixel spacing −0', 'read', CT, ['-m', '(0028,0030)=-0\\0.5']],
  ['ct pixel spacing in exponent form', 'read', CT, ['-m', '(0028,0030)=6.61468e-01\\1.5E+0']],
  ['ct no position', 'read', CT, ['-e', '(0020,0032)']],
  ['ct no orientation', 'read', CT, ['-e', '(0020,0037)']],
  ['ct position with −0', 'read', CT, ['-m', '(0020,0032)=-0\\5\\-0.0']],
  ['ct oblique orientation', 'read', CT, ['-m', '(0020,0037)=0.866025\\0.5\\0\\-0.5\\0.866025\\0']],
  ['ct flipped orientation', 'read', CT, ['-m', '(0020,0037)=-1\\0\\0\\0\\-1\\0']],
  ['ct sagittal orientation', 'read', CT, ['-m', '(0020,0037)=0\\1\\0\\0\\0\\-1']],
  ['ct orientation with −0 (diagonal −0)', 'read', CT, ['-m', '(0020,0037)=-0\\1\\0\\0\\0\\-1']],
  ['ct orientation with −0 (2)', 'read', CT, ['-m', '(0020,0037)=-1\\-0\\0\\0\\-0\\-1']],
  ['ct orientation not normalised', 'either', CT, ['-m', '(0020,0037)=2\\0\\0\\0\\2\\0']],
  ['ct overlay plane (declined)', 'decline', CT, ['-i', '(6000,0022)=overlay']],
  ['ct frame increment pointer (declined)', 'decline', CT, ['-i', '(0028,0009)=(0018,1063)']],
  ['ct pixel spacing not a number', 'either', CT, ['-m', '(0028,0030)=abc\\0.5']],
  ['ct without pixel representation', 'either', CT, ['-e', '(0028,0103)']],
  ['ct as MR image storage', 'read', CT, ['-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.4']],
  ['ct as secondary capture', 'read', CT, ['-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.7']],
  ['ct as PET', 'read', CT, ['-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.128']],
  ['ct as DX', 'either', CT, ['-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.1.1']],
  ['ct as NM', 'either', CT, ['-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.20']],
  ['ct big endian', 'read', CT, [], '+tb'],
  ['ct implicit VR', 'read', CT, [], '+ti'],
  ['ct deflated', 'read', CT, [], '+td'],
  ['ct 12 bits stored, big endian', 'read', CT, bits(12), '+tb'],
  ['ct 127×127 of 128×128 pixel data, 12 bits (odd voxel count)', 'read', CT, [...size(127, 127), ...bits(12)]],
  [
    'ct 127×127, 12 bits unsigned, MONOCHROME1, big endian',
    'read',
    CT,
    [...size(127, 127), ...bits(12, 0), ...MONO1],
    '+tb',
  ],
  ['mr spacing between slices 2.5', 'read', MR, ['-i', '(0018,0088)=2.5']],
  ['mr spacing between slices empty', 'read', MR, ['-i', '(0018,0088)=']],
  ['mr spacing between slices negative', 'either', MR, ['-i', '(0018,0088)=-2.5']],
  ['mr spacing between slices 0 (itk-wasm fails)', 'decline', MR, ['-i', '(0018,0088)=0']],
  ['mr 12 bits stored, negative values', 'read', MR, bits(12)],
  ['mr 12 bits stored, MONOCHROME1', 'read', MR, [...bits(12), ...MONO1]],
  ['mr 12 bits stored unsigned, MONOCHROME1', 'read', MR, [...bits(12, 0), ...MONO1]],
  ['mr 10 bits stored unsigned', 'read', MR, bits(10, 0)],
  ['mr 12 bits stored, intercept 1000 → int16', 'read', MR, [...bits(12), ...rescale('1000', '1')]],
  ['mr 12 bits, intercept 2048 → uint16 (itk-wasm fails)', 'decline', MR, [...bits(12), ...rescale('2048', '1')]],
  ['mr intercept 32768 → uint16 (itk-wasm fails)', 'decline', MR, rescale('32768', '1')],
  ['mr 7 bits, intercept 1 → int8 (itk-wasm fails)', 'decline', MR, [...bits(7), ...rescale('1', '1')]],
  ['mr slope 3 → int32', 'read', MR, rescale('0', '3')],
  ['mr slope 0.1, intercept −0.3 → float64', 'read', MR, rescale('-0.3', '0.1')],
  ['mr slope 1e-3, intercept 1.0E-7 → float64', 'read', MR, rescale('1.0E-7', '1e-3')],
  ['mr MONOCHROME1', 'read', MR, MONO1],
  ['mr MONOCHROME1, slope 2.25', 'read', MR, [...MONO1, ...rescale('0', '2.25')]],
  ['mr big endian, 12 bits, MONOCHROME1', 'read', MR, [...bits(12), ...MONO1], '+tb'],
  ['mr big endian', 'read', MR, [], '+tb'],
  ['mr implicit VR', 'read', MR, [], '+ti'],
  ['mr deflated', 'read', MR, [], '+td'],
  ['ot signed → int8', 'read', OT, ['-m', '(0028,0103)=1']],
  ['ot signed, intercept 10 → int16', 'read', OT, ['-m', '(0028,0103)=1', ...rescale('10', '1')]],
  ['ot intercept −10 → int16', 'read', OT, rescale('-10', '1')],
  ['ot intercept 300 → uint16', 'read', OT, rescale('300', '1')],
  ['ot MONOCHROME1', 'read', OT, MONO1],
  ['ot signed MONOCHROME1', 'read', OT, ['-m', '(0028,0103)=1', ...MONO1]],
  ['ot pixel spacing', 'read', OT, ['-i', '(0028,0030)=0.3\\0.4']],
  ['ot nominal scanned pixel spacing', 'read', OT, ['-i', '(0018,2010)=0.6\\0.9']],
  [
    'ot plane module',
    'read',
    OT,
    ['-i', '(0020,0032)=1\\2\\3', '-i', '(0020,0037)=0\\1\\0\\0\\0\\-1', '-i', '(0018,0088)=4'],
  ],
  ['ot big endian', 'read', OT, [], '+tb'],
  ['ot 511×511 MONOCHROME1 (odd length)', 'read', OT, [...size(511, 511), ...MONO1]],
  ['ot signed, MONOCHROME1, big endian', 'read', OT, ['-m', '(0028,0103)=1', ...MONO1], '+tb'],
  ['ot implicit VR', 'read', OT, [], '+ti'],
  ['cr MONOCHROME2', 'read', CR, ['-m', '(0028,0004)=MONOCHROME2']],
  ['cr with pixel spacing (imager pixel spacing wins)', 'read', CR, ['-i', '(0028,0030)=0.3\\0.4']],
  ['cr slope 1 → uint16', 'read', CR, ['-m', '(0028,1053)=1', '-m', '(0028,1052)=0']],
  ['cr big endian', 'read', CR, [], '+tb'],
  ['cr implicit VR', 'read', CR, [], '+ti'],
  ['cr deflated', 'read', CR, [], '+td'],
  ['mr slope 2 explicit LE copy', 'read', MR2, []],
  // the scan's header does not cover an element after the pixel data: the reader parses the file
  ['ct element after the pixel data', 'read', CT, ['-i', '(7fe1,0010)=KX']],
];
for (const [name, expect, base, edits, convert] of SINGLE) {
  const file = `${name.replace(/[^a-z0-9]+/gi, '-')}.dcm`;
  add(name, expect, () => [variant(file, base, edits, convert)]);
}

// 32 bits allocated: the RT Dose grid cut to its first frame and relabelled CT.
const U32 = [
  '-m',
  '(0028,0008)=1',
  '-e',
  '(3004,000c)',
  '-e',
  '(0028,0009)',
  '-m',
  '(0008,0016)=1.2.840.10008.5.1.4.1.1.2',
];
const RTDOSE = join(data, 'rtdose-multiframe.dcm');
add('32 bits → uint32', 'read', () => [variant('u32.dcm', RTDOSE, U32)]);
add('32 bits, intercept −5 → float64', 'read', () => [variant('u32-i.dcm', RTDOSE, [...U32, ...rescale('-5', '1')])]);
add('32 bits, slope 0.5 → float64', 'read', () => [variant('u32-s.dcm', RTDOSE, [...U32, ...rescale('0', '0.5')])]);
add('32 bits signed → int32', 'read', () => [variant('i32.dcm', RTDOSE, [...U32, '-m', '(0028,0103)=1'])]);
add('32 bits signed, intercept 7 → float64', 'read', () => [
  variant('i32-i.dcm', RTDOSE, [...U32, '-m', '(0028,0103)=1', ...rescale('7', '1')]),
]);
add('32 bits, 24 stored (itk-wasm fails)', 'decline', () => [variant('u32-24.dcm', RTDOSE, [...U32, ...bits(24)])]);
add('32 bits explicit LE', 'read', () => [variant('u32-le.dcm', RTDOSE, U32, '+te')]);
add('32 bits big endian', 'either', () => [variant('u32-be.dcm', RTDOSE, U32, '+tb')]);

// --- series variants ----------------------------------------------------------------------------
const CT5N = join(series, 'ct5n');
const UNEVEN = join(series, 'ct-uneven');
const SIEMENS = join(series, 'mr-siemens-2slice');
const shuffled = (files: string[]) => [files[2]!, files[0]!, files[4]!, files[1]!, files[3]!];
add('ct5n shuffled names, shuffled order', 'read', () =>
  shuffled(seriesVariant('ct5n-shuffled', CT5N, { rename: (i) => ['q.dcm', 'b.dcm', 'x.dcm', 'a.dcm', 'm.dcm'][i]! })),
);
add('ct5n big endian', 'read', () => seriesVariant('ct5n-be', CT5N, { convert: () => '+tb' }));
add('ct5n implicit VR', 'read', () => seriesVariant('ct5n-im', CT5N, { convert: () => '+ti' }));
add('ct5n deflated', 'read', () => seriesVariant('ct5n-df', CT5N, { convert: () => '+td' }));
add('ct5n mixed transfer syntaxes', 'read', () =>
  seriesVariant('ct5n-mixed', CT5N, { convert: (i) => ['+tb', '+ti', '+td', undefined, '+tb'][i] }),
);
add('ct5n oblique', 'read', () =>
  seriesVariant('ct5n-oblique', CT5N, { edit: () => ['-m', '(0020,0037)=0.866025\\0.5\\0\\-0.5\\0.866025\\0'] }),
);
add('ct5n normal flipped (order reversed)', 'read', () =>
  seriesVariant('ct5n-flipped', CT5N, { edit: () => ['-m', '(0020,0037)=-1\\0\\0\\0\\1\\0'] }),
);
add('ct5n first file tilted by 1e-5', 'read', () =>
  seriesVariant('ct5n-tilt', CT5N, { edit: (i) => (i === 0 ? ['-m', '(0020,0037)=1\\0.00001\\0\\0\\1\\0'] : []) }),
);
add('ct5n MONOCHROME1, 12 bits stored', 'read', () =>
  seriesVariant('ct5n-mono1', CT5N, { edit: () => [...bits(12), ...MONO1] }),
);
add('ct5n one slice with another slope', 'decline', () =>
  seriesVariant('ct5n-slope', CT5N, { edit: (i) => (i === 2 ? ['-m', '(0028,1053)=2'] : []) }),
);
add('ct5n one slice without position (at 0,0,0)', 'read', () =>
  seriesVariant('ct5n-nopos', CT5N, { edit: (i) => (i === 1 ? ['-e', '(0020,0032)'] : []) }),
);
// GDCM's SerieHelper groups by Series Instance UID only (the pipeline adds the files before it turns
// on the series details), and reads only the first group (UID order) of several.
add('ct5n one slice with another series number and sequence name', 'read', () =>
  seriesVariant('ct5n-number', CT5N, {
    edit: (i) => (i === 1 ? ['-m', '(0020,0011)=99', '-i', '(0018,0024)=other'] : []),
  }),
);
add('ct5n one slice with another slice thickness', 'read', () =>
  seriesVariant('ct5n-thick', CT5N, { edit: (i) => (i === 3 ? ['-m', '(0018,0050)=9'] : []) }),
);
add('ct5n one slice with another series UID (itk-wasm reads one group)', 'decline', () =>
  seriesVariant('ct5n-uid', CT5N, { edit: (i) => (i === 2 ? ['-m', '(0020,000e)=1.2.3'] : []) }),
);

// --- slices sharing positions: IPP order fails, then Instance Number order, then file name order ---
// ct5n: Instance Numbers 6…10 in name order, positions z = 8.7625, 6.2625, 3.7625, 1.2625, −1.2375.
const at = (z: string) => ['-m', `(0020,0032)=-72.199997\\-143.000000\\${z}`];
const instance = (v: string | undefined) => (v === undefined ? ['-e', '(0020,0013)'] : ['-m', `(0020,0013)=${v}`]);
const NAMES = ['e.dcm', 'c.dcm', 'a.dcm', 'd.dcm', 'b.dcm'];
const sharing = (
  name: string,
  expect: Expect,
  edit: (i: number) => string[],
  opts: { names?: boolean; order?: (f: string[]) => string[] } = {},
) =>
  add(name, expect, () => {
    const files = seriesVariant(name.replace(/[^a-z0-9]+/gi, '-'), CT5N, {
      edit,
      ...(opts.names ? { rename: (i: number) => NAMES[i]! } : {}),
    });
    return opts.order ? opts.order(files) : files;
  });
const SAME = at('1.0');
sharing('all at one position: Instance Number order', 'read', () => SAME);
sharing('all at one position, given reversed', 'read', () => SAME, { order: (f) => [...f].reverse() });
sharing(
  'all at one position, Instance Numbers shuffled',
  'read',
  (i) => [...SAME, ...instance(['3', '1', '5', '2', '4'][i])],
  { order: shuffled },
);
sharing('all at one position, Instance Numbers +5, 007, " 3", -2, 12', 'read', (i) => [
  ...SAME,
  ...instance(['+5', '007', ' 3', '-2', '12'][i]),
]);
sharing('all at one position, one Instance Number -1', 'read', (i) => [...SAME, ...(i === 2 ? instance('-1') : [])]);
sharing('all at one position, equal Instance Numbers: file name order', 'read', () => [...SAME, ...instance('7')], {
  names: true,
});
sharing(
  'all at one position, two equal Instance Numbers: file name order',
  'read',
  (i) => [...SAME, ...instance(['3', '1', '3', '2', '4'][i])],
  { names: true, order: shuffled },
);
sharing('all at one position, no Instance Numbers: file name order', 'read', () => [...SAME, ...instance(undefined)], {
  names: true,
});
sharing(
  'all at one position, -1 and a missing Instance Number: file name order',
  'read',
  (i) => [...SAME, ...instance(['-1', '1', undefined, '2', '4'][i])],
  { names: true },
);
sharing(
  'all at one position, one Instance Number missing (GDCM reads it uninitialised)',
  'decline',
  (i) => [...SAME, ...(i === 2 ? instance(undefined) : [])],
  { names: true },
);
sharing('all at one position, Instance Number 2.5', 'decline', (i) => [...SAME, ...(i === 2 ? instance('2.5') : [])]);
sharing('all at one position, empty Instance Numbers: file name order', 'read', () => [...SAME, '-m', '(0020,0013)='], {
  names: true,
});
sharing('no positions at all (0,0,0): Instance Number order', 'read', () => ['-e', '(0020,0032)'], { order: shuffled });
sharing(
  'all at one distance, shifted in plane (spacing from the shift)',
  'read',
  (i) => ['-m', `(0020,0032)=${i * 1.5}\\${-i * 0.25}\\2.0`],
  { order: shuffled },
);
sharing('two slices at one position: Instance Number order', 'read', (i) => (i === 3 ? at('-1.237500') : []));
sharing('two slices at one position, Instance Numbers reversed', 'read', (i) => [
  ...(i === 3 ? at('-1.237500') : []),
  ...instance(String(10 - i)),
]);
sharing(
  'two slices at one position, Instance Numbers shuffled',
  'read',
  (i) => [...(i === 3 ? at('-1.237500') : []), ...instance(['3', '1', '5', '2', '4'][i])],
  { order: shuffled },
);
sharing('first and last by Instance Number at one position (spacing 1)', 'read', (i) =>
  i === 4 ? at('8.762500') : [],
);
sharing(
  'two slices at one position, equal Instance Numbers: file name order',
  'read',
  (i) => [...(i === 3 ? at('-1.237500') : []), ...instance('1')],
  { names: true, order: shuffled },
);
sharing('two slices at one position, one Instance Number missing', 'decline', (i) => [
  ...(i === 3 ? at('-1.237500') : []),
  ...(i === 0 ? instance(undefined) : []),
]);
sharing('distinct positions, Instance Number malformed (not needed)', 'read', (i) => (i === 1 ? instance('x') : []));
add('all at one position, file names in UTF-8 byte order (not UTF-16 order)', 'read', () =>
  seriesVariant('utf8-names', CT5N, {
    rename: (i) => ['\uFF5E', '\u{1F600}', '\u00E9', 'z', 'Z'][i]!,
    edit: () => [...SAME, ...instance('1')],
  }),
);
const MOSAIC = join(series, 'mr-mosaic-b0dwi');
add('mr-mosaic-b0dwi given 3, 1, 2', 'read', () => {
  const f = filesOf(MOSAIC);
  return [f[2]!, f[0]!, f[1]!];
});
add('mr-mosaic-b0dwi Instance Numbers 2, 3, 1', 'read', () =>
  seriesVariant('mosaic-in', MOSAIC, { edit: (i) => instance(['2', '3', '1'][i]) }),
);
add('mr-mosaic-b0dwi equal Instance Numbers, names reversed: file name order', 'read', () =>
  seriesVariant('mosaic-names', MOSAIC, { rename: (i) => `${3 - i}.dcm`, edit: () => instance('1') }),
);
add('ct-uneven big endian', 'read', () => seriesVariant('uneven-be', UNEVEN, { convert: () => '+tb' }));
add('ct-uneven reversed order', 'read', () => seriesVariant('uneven-rev', UNEVEN).reverse());
add('mr-siemens-2slice explicit LE', 'read', () => seriesVariant('siemens-le', SIEMENS, { convert: () => '+te' }));
add('mr-siemens-2slice big endian', 'read', () => seriesVariant('siemens-be', SIEMENS, { convert: () => '+tb' }));
add('mr-siemens-2slice MONOCHROME1, slope 1.5', 'read', () =>
  seriesVariant('siemens-mono1', SIEMENS, { edit: () => [...MONO1, ...rescale('-3', '1.5')] }),
);
add('mr-siemens-2slice deflated (files larger than the first read)', 'read', () =>
  seriesVariant('siemens-df', SIEMENS, { convert: () => '+td' }),
);
add('mr-siemens-2slice names swapped', 'read', () =>
  seriesVariant('siemens-swap', SIEMENS, { rename: (i) => ['z.dcm', 'a.dcm'][i]! }),
);

// --- comparison ---------------------------------------------------------------------------------
/** Numbers as exact strings (−0 kept), so toEqual compares bit for bit with a readable diff. */
const exact = (values: ArrayLike<number | bigint>) => Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v)));

function expectSameAsItkWasm(native: NativeSeriesResult, wasm: { image: Image; sortedFilenames: unknown }): void {
  const a = native.image;
  const b = wasm.image;
  const typeOf = (i: Image) => {
    const t = i.imageType;
    return { dimension: t.dimension, componentType: t.componentType, pixelType: t.pixelType, components: t.components };
  };
  expect(typeOf(a)).toEqual(typeOf(b));
  expect(exact(a.size)).toEqual(exact(b.size));
  expect(exact(a.spacing)).toEqual(exact(b.spacing));
  expect(exact(a.origin)).toEqual(exact(b.origin));
  expect(exact(a.direction)).toEqual(exact(b.direction));
  for (const k of ['size', 'spacing', 'origin'] as const) expect(Array.isArray(a[k])).toBe(Array.isArray(b[k]));
  expect(a.direction.constructor).toBe(b.direction.constructor);
  expect(a.data!.constructor).toBe(b.data!.constructor);
  expect(a.data!.length).toBe(b.data!.length);
  const bytes = (d: NonNullable<Image['data']>) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  expect(bytes(a.data!).equals(bytes(b.data!))).toBe(true);
  expect(native.sortedFilenames).toEqual(wasm.sortedFilenames);
}

/** The headers dicom-scan.ts hands the native reader (read-volume.ts); none when the scan rejects a file. */
async function scannedHeaders(files: string[]): Promise<(NativeHeader | undefined)[]> {
  try {
    return (await Promise.all(files.map((f) => scanDicomFile(f)))).map(scannedNativeHeader);
  } catch {
    return [];
  }
}

describe('native DICOM reader = itk-wasm reader, or declined', () => {
  for (const c of cases) {
    it(`${c.name} (${c.expect})`, async () => {
      const files = c.files();
      const native = readNativeDicomSeries(files);
      if (c.expect === 'read') expect(native, 'the native reader declined').toBeDefined();
      if (c.expect === 'decline') expect(native, 'the native reader read it').toBeUndefined();
      // The same from the scan's headers (only the pixel bytes read from the files).
      const viaScan = readNativeDicomSeries(files, await scannedHeaders(files));
      expect(viaScan === undefined, 'declined with the scan headers xor without').toBe(native === undefined);
      if (native) {
        const wasm = await readDicomSeriesCached(files);
        expectSameAsItkWasm(native, wasm);
        expectSameAsItkWasm(viaScan!, wasm);
      }
    });
  }

  it('covers every DICOM file of test/data', () => {
    const named = new Set(Object.keys(SAMPLES).map((f) => join(data, f)));
    const dcm = readdirSync(data).filter((f) => f.endsWith('.dcm'));
    for (const f of dcm) expect(named.has(join(data, f)), f).toBe(true);
  });
});

describe('headers from the scan (dicom-scan.ts → native reader)', () => {
  const kind = async (file: string) => scannedNativeHeader(await scanDicomFile(file))?.kind;

  it('native-syntax files: the header, pixel bytes read at their offset', async () => {
    for (const f of [CR, ...filesOf(CT5N), ...filesOf(SIEMENS), ...filesOf(join(series, 'mr-mosaic-b0dwi'))]) {
      expect(await kind(f), f).toBe('slice');
    }
  });

  it('deflated, or elements after the pixel data: none (the reader parses the whole file)', async () => {
    expect(await kind(OT)).toBeUndefined();
    expect(await kind(CT)).toBeUndefined(); // Data Set Trailing Padding
    expect(await kind(MR)).toBeUndefined();
    expect(await kind(variant('after-pixels.dcm', CT, ['-i', '(7fe1,0010)=KX']))).toBeUndefined();
  });

  it('files the reader declines: declined from the header, before any pixels are read', async () => {
    for (const f of ['mr-small-rle.dcm', 'ct-jpeg2000-lossy.dcm', 'rtdose-multiframe.dcm']) {
      expect(await kind(join(data, f)), f).toBe('decline');
    }
  });

  it('headers longer than the first read (mosaic: 240 kB of 3.9 MB): the whole-file parse, pixel offset', async () => {
    for (const f of filesOf(join(series, 'mr-mosaic-b0dwi'))) {
      const info = await scanDicomFile(f);
      const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(f)), { untilTag: 'x7fe00010' });
      expect(info.seriesInstanceUid).toBe(ds.string('x0020000e'));
      expect([info.rows, info.columns]).toEqual([ds.uint16('x00280010'), ds.uint16('x00280011')]);
      const h = scannedNativeHeader(info);
      expect(h?.kind === 'slice' && h.pixelOffset).toBe(ds.elements['x7fe00010']!.dataOffset);
    }
  });

  it('scan errors stay those of a whole-file parse (no preamble, header cut short)', async () => {
    const noPreamble = join(dir('scan'), 'big.bin');
    writeFileSync(noPreamble, Buffer.alloc(300_000, 7));
    await expect(scanDicomFile(noPreamble)).rejects.toThrow(
      'not a DICOM file: no preamble ("DICM" at byte 128), no File Meta Information and no DICOM element at the start',
    );
    const cut = join(dir('scan'), 'cut.dcm');
    const whole = readFileSync(join(series, 'mr-mosaic-b0dwi', 'b0dwi_for_fmap+00001.dcm'));
    writeFileSync(cut, whole.subarray(0, 150_000));
    // Implicit VR: dicomParser reads past the end without an error, and finds no pixel data.
    const ds = dicomParser.parseDicom(new Uint8Array(whole.subarray(0, 150_000)), { untilTag: 'x7fe00010' });
    expect(ds.elements['x7fe00010']).toBeUndefined();
    await expect(scanDicomFile(cut)).rejects.toThrow('DICOM file has no pixel data (7FE0,0010)');
  });

  it('a file that changed after the scan is declined (itk-wasm reads what is there now)', async () => {
    const files = seriesVariant('changed', CT5N);
    const headers = await scannedHeaders(files);
    expect(readNativeDicomSeries(files, headers)).toBeDefined();
    appendFileSync(files[2]!, Buffer.alloc(2));
    expect(readNativeDicomSeries(files, headers)).toBeUndefined();
  });
});

describe('readVolumes with the native reader and with KAAPANA_OTSU_READER=itk-wasm', () => {
  const saved = process.env.KAAPANA_OTSU_READER;
  afterEach(() => {
    if (saved === undefined) delete process.env.KAAPANA_OTSU_READER;
    else process.env.KAAPANA_OTSU_READER = saved;
  });
  const inputs = [
    'series/mr-siemens-2slice',
    'series/mr-mosaic-b0dwi',
    'series/ct5n',
    'cr-monochrome1-rescaled.dcm',
    'mr-small-rle.dcm',
  ];
  for (const input of inputs) {
    it(`${input}: same volume and source either way`, async () => {
      delete process.env.KAAPANA_OTSU_READER;
      const [native] = await readVolumes(join(data, input));
      process.env.KAAPANA_OTSU_READER = 'itk-wasm';
      const [wasm] = await readVolumes(join(data, input));
      expectSameAsItkWasm(
        { image: native!.image, sortedFilenames: native!.source.kind === 'dicom' ? native!.source.files : [] },
        { image: wasm!.image, sortedFilenames: wasm!.source.kind === 'dicom' ? wasm!.source.files : [] },
      );
      expect(native!.source).toEqual(wasm!.source);
    });
  }
});
