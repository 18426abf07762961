// The kaapana-otsu command line: argument parsing, help, choosing between the plain CLI
// (--input/--output) and the Kaapana operator mode (WORKFLOW_DIR/OPERATOR_IN_DIR/OPERATOR_OUT_DIR set
// and no --input), error reporting and exit codes (0 ok, 1 bad input, 2 bad usage, 3 internal error).
// Owns no algorithm; see pipeline/ and operator/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OtsuAggregateError, OtsuError } from './errors.js';
import { DEFAULT_BINS } from './otsu/index.js';
import { readVolumes, type Volume } from './volume/index.js';
import {
  checkOutputDir,
  makeProgress,
  segmentVolume,
  seriesDirName,
  withStagingDir,
  type SegmentationResult,
  type SegmentOptions,
} from './pipeline/index.js';
import { operatorEnvFrom, runOperator } from './operator/index.js';
import { bundle } from './bundle-info.js';
import type { SegDescription } from './seg/index.js';

export const USAGE = `Usage: kaapana-otsu --input <dicom dir | dicom file | nrrd | nifti> --output <dir> [options]
       kaapana-otsu            (Kaapana operator mode: WORKFLOW_DIR, BATCH_NAME, OPERATOR_IN_DIR, OPERATOR_OUT_DIR)

Otsu segmentation identical to ITK's OtsuThresholdImageFilter (sitk.OtsuThreshold(img, 0, 1)).
Writes mask.nrrd, seg.dcm (DICOM input), report.png, report.html and result.json into --output.
A directory with several series gives one sub-directory per SeriesInstanceUID unless --series-uid picks one.

Options:
  --input <path>          DICOM directory, DICOM file (single- or multi-frame), NRRD, NIfTI or MetaImage
  --output <dir>          output directory (created)
  --series-uid <uid>      use only this series of a DICOM directory
  --bins <n>              histogram bins (default ${DEFAULT_BINS})
  --inside-value <v>      mask value at or below the threshold (default 0)
  --outside-value <v>     mask value above the threshold (default 1)
  --mask-only             write only mask.nrrd and result.json
  --label <text>          segment label of the DICOM SEG (default "abdomen")
  --seg-metadata <json>   SEG attributes from a dcmqi meta-information JSON (as Kaapana's
                          Itk2DcmSegOperator writes it): label, codes, colour, series, creator
  --quiet                 no progress lines on stderr
  --version, --help`;

class UsageError extends Error {}

/** An error of a file-system call (it has an errno code such as EACCES, EISDIR, ENOSPC). */
function isSystemError(e: unknown): e is NodeJS.ErrnoException & Error {
  return (
    e instanceof Error &&
    typeof (e as NodeJS.ErrnoException).code === 'string' &&
    typeof (e as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** The directory (relative to the staging dir) each volume's files go to: a series dir when there are several. */
function volumeDirs(volumes: Volume[]): string[] {
  return volumes.map((v) =>
    volumes.length === 1 || v.source.kind !== 'dicom'
      ? ''
      : seriesDirName('.', v.source.seriesInstanceUid, v.source.files[0] ?? ''),
  );
}

/** Every volume segmented into one staging dir, moved into `output` only when all succeeded. */
async function segmentAll(volumes: Volume[], output: string, o: SegmentOptions): Promise<SegmentationResult[]> {
  const dirs = volumeDirs(volumes); // every series name checked before the first computation
  return withStagingDir(output, async (staging) => {
    const results: SegmentationResult[] = [];
    for (const [i, volume] of volumes.entries()) {
      if (volumes.length > 1) o.progress(`series ${i + 1}/${volumes.length}: ${join(output, dirs[i]!)}`);
      results.push(await segmentVolume(volume, join(staging, dirs[i]!), o));
    }
    return results;
  });
}

/**
 * The metadata JSON `file` read and its values checked as the SEG writer will check them (with the
 * defaults filled in). The SEG modules are loaded here, only for runs that name such a file.
 */
async function checkedDescription(file: string): Promise<Partial<SegDescription>> {
  const [{ checkSegDescription, readDcmqiMetadata }, { codesForLabel }] = await Promise.all([
    import('./seg/seg-metadata.js'),
    import('./seg/segment-codes.js'),
  ]);
  const d = readDcmqiMetadata(file);
  checkSegDescription(
    {
      label: 'x',
      seriesDescription: 'x',
      seriesNumber: 1,
      instanceNumber: 1,
      algorithmType: 'AUTOMATIC',
      algorithmName: 'x',
      contentCreatorName: 'x',
      codes: codesForLabel('x'),
      color: [0, 0, 0],
      ...d,
    },
    { file },
  );
  return d;
}

export function packageVersion(): string {
  if (bundle) return bundle.version;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`--${name} must be an integer ${min}…${max}, got "${raw}"`);
  return v;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const OPTIONS = {
  input: { type: 'string', short: 'i' },
  output: { type: 'string', short: 'o' },
  'series-uid': { type: 'string' },
  bins: { type: 'string' },
  'inside-value': { type: 'string' },
  'outside-value': { type: 'string' },
  'mask-only': { type: 'boolean', default: false },
  label: { type: 'string' },
  'seg-metadata': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

type CliValues = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>
>['values'];

/** The plain CLI (--input/--output): every series of the input segmented into --output. */
async function runPlain(
  values: CliValues,
  o: Pick<SegmentOptions, 'bins' | 'inside' | 'outside' | 'progress' | 'version' | 'warn'>,
  io: CliIo,
): Promise<void> {
  if (values.input === undefined)
    throw new UsageError('--input is required (or set WORKFLOW_DIR, OPERATOR_IN_DIR, OPERATOR_OUT_DIR)');
  if (values.output === undefined) throw new UsageError('--output is required');

  // Checked before anything is read or computed: a bad metadata file or an output that cannot be
  // written fails the run at once.
  const segDescription =
    values['seg-metadata'] === undefined ? undefined : await checkedDescription(values['seg-metadata']);
  checkOutputDir(values.output);
  o.progress(`reading ${values.input}`);
  const volumes = await readVolumes(
    values.input,
    values['series-uid'] !== undefined ? { seriesUid: values['series-uid'] } : {},
  );
  const segmentOptions = {
    ...o,
    maskOnly: values['mask-only'],
    label: values.label ?? 'abdomen',
    ...(segDescription ? { segDescription } : {}),
  };
  const results = await segmentAll(volumes, values.output, segmentOptions);
  for (const r of results) {
    io.stdout.write(
      `threshold ${r.threshold} (${r.pixelType}), ${r.foregroundVoxels}/${r.totalVoxels} voxels above it, ` +
        `${r.foregroundVolumeMl.toFixed(3)} ml\n`,
    );
  }
}

/** The exit code of a failed run, with its message(s) on stderr. */
function reportFailure(e: unknown, err: (line: string) => void): number {
  if (
    e instanceof UsageError ||
    (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    err(`kaapana-otsu: ${e.message}`);
    err('Run kaapana-otsu --help for the options.');
    return 2;
  }
  if (e instanceof OtsuAggregateError) {
    for (const one of e.errors) err(`kaapana-otsu: error: ${one.toString()}`);
    return 1;
  }
  if (e instanceof OtsuError) {
    err(`kaapana-otsu: error: ${e.toString()}`);
    return 1;
  }
  if (isSystemError(e)) {
    // The file system refused (a full disk, a permission or file type changed meanwhile): the
    // environment, not a bug. Node's message names the path for most calls; add it where not.
    err(`kaapana-otsu: error: ${e.path && !e.message.includes(e.path) ? `${e.path}: ` : ''}${e.message}`);
    return 1;
  }
  err(`kaapana-otsu: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 3;
}

/**
 * The process's own streams, each created on first use: a quiet run that succeeds never writes to
 * stderr, and node builds a stream object (and for a pipe loads its net modules) on the first access.
 */
function processIo(): CliIo {
  return {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    env: process.env,
  };
}

/** Runs the CLI; returns the exit code instead of exiting (so tests can call it in-process). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const err = (line: string) => io.stderr.write(`${line}\n`);
  try {
    const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: OPTIONS });
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const version = packageVersion();
    if (values.version) {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    const bins = intOption('bins', values.bins, DEFAULT_BINS, 2, 1 << 20);
    const inside = intOption('inside-value', values['inside-value'], 0, 0, 255);
    const outside = intOption('outside-value', values['outside-value'], 1, 0, 255);
    const progress = values.quiet ? makeProgress(true) : makeProgress(false, io.stderr);

    const operatorEnv = operatorEnvFrom(io.env);
    if (values.input === undefined && operatorEnv) {
      const results = await runOperator(operatorEnv, {
        bins,
        inside,
        outside,
        progress,
        log: (line) => io.stdout.write(`${line}\n`),
      });
      progress(`done: ${results.length} mask(s)`);
      return 0;
    }
    const warn = (message: string) => err(`kaapana-otsu: warning: ${message}`);
    await runPlain(values, { bins, inside, outside, progress, version, warn }, io);
    return 0;
  } catch (e) {
    return reportFailure(e, err);
  }
}
