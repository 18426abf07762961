// SliceInfo: what the native reader keeps of one file's header (made by header.ts from a header-only
// or a whole-file parse), the one record geometry, ordering and decoding work from.
import type { PixelFormat } from './pixel-type.js';

/** One file, parsed and checked: what the volume needs from it besides its pixel bytes. */
export interface SliceInfo {
  path: string;
  sopClass: string;
  rows: number;
  columns: number;
  format: PixelFormat;
  intercept: number;
  slope: number;
  /** Image Position (Patient); [0, 0, 0] when absent (GDCM's default). */
  position: number[];
  /** Instance Number as GDCM's Attribute<0x0020,0x0013> reads it, for ImageNumberOrdering. */
  instanceNumber: number | 'missing' | 'malformed';
  /** Image Orientation (Patient) as GDCM returns it (default 1,0,0,0,1,0 when absent). */
  orientation: number[];
  /** Spacing in ITK order: along a row (column spacing), along a column (row spacing), between slices. */
  spacing: [number, number, number];
  /** SerieHelper's group: the Series Instance UID without the characters other than [.0-9A-Za-z]. */
  seriesKey: string;
  pixelKey: string;
  bigEndian: boolean;
  /** MONOCHROME1: GDCMImageIO inverts it to MONOCHROME2 before the rescale. */
  invert: boolean;
}
