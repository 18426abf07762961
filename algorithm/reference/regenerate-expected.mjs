#!/usr/bin/env node
// Regenerates algorithm/test/regression/expected.json from ITK itself: runs the C++ reference
// (itk-otsu, built against Debian bookworm's ITK 5.2.1 by build.sh) on every regression case and
// records the threshold (full precision), voxel counts, geometry and the SHA-256 of the uint8 mask.
// The regression test compares kaapana-otsu against these values; nothing of kaapana-otsu runs here.
//
// usage: node algorithm/reference/regenerate-expected.mjs   (ITK_OTSU=/path/to/itk-otsu to skip the build)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const algorithm = join(here, '..');
const data = join(algorithm, 'test', 'data');
const out = join(algorithm, 'test', 'regression', 'expected.json');

/**
 * The cases. `input` is relative to test/data. `geometry`: "full" compares size, spacing, origin and
 * direction; "in-plane" only the first two axes (ITK reads a single DICOM file as a 2-D image with
 * z spacing 1, itk-wasm as a one-slice volume with Spacing Between Slices (0018,0088) as z spacing;
 * ITK 5.2.1's GDCM also takes (0018,0088) for the MR files of series/mr-asl-one-position, not for
 * ct-small's CT, so their single-file cases are "full"); "size-only"
 * where the two GDCM versions are known to read the geometry differently (`geometryNote` says why).
 */
const CASES = [
  {
    name: 'ct-small',
    input: 'ct-small.dcm',
    geometry: 'in-plane',
    covers: 'CT, signed, rescale intercept −1024, explicit VR LE',
  },
  { name: 'ct-small-2-bins', input: 'ct-small.dcm', bins: 2, geometry: 'in-plane', covers: 'fewest bins' },
  {
    name: 'mr-small-explicit-le',
    input: 'mr-small-explicit-le.dcm',
    geometry: 'in-plane',
    covers: 'MR, explicit VR LE',
  },
  {
    name: 'mr-small-big-endian',
    input: 'mr-small-big-endian.dcm',
    geometry: 'in-plane',
    covers: 'explicit VR big endian',
  },
  { name: 'mr-small-rle', input: 'mr-small-rle.dcm', geometry: 'in-plane', covers: 'RLE lossless' },
  {
    name: 'mr-small-jpeg2000-lossless',
    input: 'mr-small-jpeg2000-lossless.dcm',
    geometry: 'in-plane',
    covers: 'JPEG 2000 lossless',
  },
  {
    name: 'mr-small-jpeg-ls-lossless',
    input: 'mr-small-jpeg-ls-lossless.dcm',
    geometry: 'in-plane',
    covers: 'JPEG-LS lossless',
  },
  {
    name: 'nm-jpeg2000-lossy',
    input: 'nm-jpeg2000-lossy.dcm',
    geometry: 'size-only',
    geometryNote:
      "GDCM 3.0.21 (ITK 5.2.1) ignores this NM file's Pixel Spacing (it warns \"Don't know how to handle spacing for (0028,0009)\") and uses 1 mm; itk-wasm's newer GDCM reads the file's 2.26 mm",
    covers: 'NM, JPEG 2000 lossy, signed',
  },
  {
    name: 'ct-jpeg2000-lossy',
    input: 'ct-jpeg2000-lossy.dcm',
    geometry: 'in-plane',
    covers: 'CT, JPEG 2000 lossy, rescaled',
  },
  {
    name: 'ct-jpeg2000-pixelrep-mismatch',
    input: 'ct-jpeg2000-pixelrep-mismatch.dcm',
    geometry: 'in-plane',
    covers: 'J2K stream sign differs from Pixel Representation, oblique',
  },
  {
    name: 'ot-deflate',
    input: 'ot-deflate.dcm',
    geometry: 'in-plane',
    covers: 'deflated explicit VR LE, uint8 (fixed 8-bit histogram range)',
  },
  {
    name: 'rtdose-multiframe',
    input: 'rtdose-multiframe.dcm',
    geometry: 'full',
    covers: 'RT Dose, 15-frame multi-frame, uint32, implicit VR',
  },
  {
    name: 'cr-monochrome1-rescaled',
    input: 'cr-monochrome1-rescaled.dcm',
    geometry: 'in-plane',
    covers: 'CR, MONOCHROME1, rescale slope 0.684 → float64',
  },
  {
    name: 'cr-monochrome1-16-bins',
    input: 'cr-monochrome1-rescaled.dcm',
    bins: 16,
    geometry: 'in-plane',
    covers: 'float64 with few bins',
  },
  {
    name: 'mr-rescale-slope2',
    input: 'mr-rescale-slope2.dcm',
    geometry: 'in-plane',
    covers: 'MR with Rescale Slope 2 / Intercept −4096',
  },
  {
    name: 'series-ct5n',
    input: 'series/ct5n',
    geometry: 'full',
    covers: '5-slice CT series, file names in reverse slice order',
  },
  { name: 'series-ct5n-256-bins', input: 'series/ct5n', bins: 256, geometry: 'full', covers: 'more bins' },
  { name: 'series-ct-uneven', input: 'series/ct-uneven', geometry: 'full', covers: 'CT series with uneven slice gaps' },
  {
    name: 'series-mr-siemens-2slice',
    input: 'series/mr-siemens-2slice',
    geometry: 'full',
    covers: 'MR series, implicit VR, oblique, uint16',
  },
  {
    name: 'series-mr-mosaic-b0dwi',
    input: 'series/mr-mosaic-b0dwi',
    geometry: 'full',
    covers:
      'largest series (5.5 Mvoxel, the benchmark series): three Siemens mosaic DWI b0 images at one position, implicit VR, uint16',
  },
  {
    name: 'series-mr-siemens-2slice-64-bins',
    input: 'series/mr-siemens-2slice',
    bins: 64,
    geometry: 'full',
    covers: 'fewer bins',
  },
  {
    name: 'series-mr-three-series-pick-one',
    input: 'series/mr-three-series',
    seriesUid: '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.481',
    geometry: 'full',
    covers: 'directory with three series, one chosen by SeriesInstanceUID',
  },
  {
    name: 'mr-oblique-mosaic-slice',
    input: 'series/mr-asl-one-position/0051.dcm',
    geometry: 'full',
    covers: 'MR (Siemens PASL mosaic image), oblique, explicit VR LE, uint16; a single file read as a 3-D volume',
  },
  {
    name: 'mr-no-preamble-implicit',
    input: 'series/mr-asl-one-position/0001-implicit-no-meta.dcm',
    geometry: 'full',
    covers: 'MR without preamble and File Meta (ACR-NEMA style, implicit VR LE), oblique',
  },
  {
    name: 'series-mr-asl-one-position',
    input: 'series/mr-asl-one-position',
    geometry: 'full',
    covers: 'two acquisitions at one position (ITK stacks them 1 mm apart), one Part-10 file and one without File Meta',
  },
  {
    name: 'xa-jpeg-lossless-multiframe',
    input: 'xa-jpeg-lossless-multiframe.dcm',
    geometry: 'full',
    covers:
      'XA, 4-frame JPEG lossless (process 14, SV1), uint8, no Frame of Reference; z spacing = Frame Time (83 ms) through the Frame Increment Pointer, as GDCM reads it',
  },
  {
    name: 'nrrd-detached-oblique-2d',
    input: 'image-files/BrainProtonDensitySliceBorder20DirectionPlus30.nhdr',
    geometry: 'in-plane',
    covers: 'NRRD (detached header), 2-D, rotated, uint8',
  },
  {
    name: 'metaimage-3-slices',
    input: 'image-files/BrainProtonDensity3Slices.mha',
    geometry: 'full',
    covers: 'MetaImage, uint8',
  },
  { name: 'nifti-anatomical', input: 'image-files/anatomical.nii', geometry: 'full', covers: 'NIfTI-1, int16' },
  {
    name: 'nifti-anatomical-1000-bins',
    input: 'image-files/anatomical.nii',
    bins: 1000,
    geometry: 'full',
    covers: 'many bins (empty bins, ties)',
  },
  ...[
    ['constant-int16', 'constant image: all voxels in the last bin, threshold = first bin max'],
    ['constant-float32', 'constant float image, threshold rounded to float32'],
    ['two-values-uint8', 'two values at the ends of the fixed uint8 range'],
    ['three-cluster-tie-int16', 'three equal clusters: equal variance at two gaps (tie rule)'],
    ['bimodal-float32', 'float32 mixture: threshold cast to float32'],
    ['noise-int8', 'int8: fixed −128.5…127.5 histogram range'],
    ['wide-uint16', 'uint16 over a wide range'],
    ['narrow-range-float64', 'float64 range so narrow that the float bin edges collapse'],
    ['extremes-int32', 'int32 at both type limits (per-voxel bin search)'],
    ['extremes-uint32', 'uint32 up to 2^32−1'],
  ].map(([n, covers]) => ({
    name: `synthetic-${n}`,
    input: `synthetic/${n}.mha`,
    geometry: 'full',
    covers: `synthetic: ${covers}`,
  })),
];

function itkOtsuBinary() {
  if (process.env.ITK_OTSU) return process.env.ITK_OTSU;
  return execFileSync(join(here, 'build.sh'), { stdio: ['ignore', 'pipe', 'inherit'] })
    .toString()
    .trim()
    .split('\n')
    .pop();
}

const bin = itkOtsuBinary();
const tmp = mkdtempSync(join(tmpdir(), 'itk-otsu-'));
const cases = [];
try {
  for (const c of CASES) {
    const raw = join(tmp, `${c.name}.raw`);
    const args = [join(data, c.input), '--mask-raw', raw, '--bins', String(c.bins ?? 128)];
    if (c.seriesUid) args.push('--series-uid', c.seriesUid);
    const ref = JSON.parse(execFileSync(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
    const mask = readFileSync(raw);
    cases.push({
      ...c,
      bins: c.bins ?? 128,
      expected: {
        threshold: ref.threshold,
        componentType: ref.componentType,
        foregroundVoxels: ref.foregroundVoxels,
        totalVoxels: ref.totalVoxels,
        maskSha256: createHash('sha256').update(mask).digest('hex'),
        size: ref.size,
        spacing: ref.spacing,
        origin: ref.origin,
        direction: ref.direction,
      },
    });
    process.stderr.write(`${c.name}: threshold ${ref.threshold}, ${ref.foregroundVoxels}/${ref.totalVoxels}\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const doc = {
  generatedBy: relative(join(algorithm, '..'), fileURLToPath(import.meta.url)),
  itk: `ITK ${cases.length ? JSON.parse(execFileSync(bin, [join(data, CASES[0].input)]).toString()).itkVersion : '?'} (Debian bookworm libinsighttoolkit5-dev 5.2.1), OtsuThresholdImageFilter inside 0 outside 1`,
  maskHash: 'SHA-256 of the uint8 mask (0 at or below the threshold, 1 above), x fastest, as ITK lays out its buffer',
  cases,
};
writeFileSync(`${out}.tmp`, `${JSON.stringify(doc, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
process.stderr.write(`wrote ${out} (${cases.length} cases)\n`);
