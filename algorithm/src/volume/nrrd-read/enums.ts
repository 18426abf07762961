// NrrdIO's airEnum spellings this reader accepts (compared lower-cased): the field names with their
// aliases, the types itk-wasm returns as 8–32-bit integer or float arrays (with their byte sizes),
// the 3-D spaces (with the flips and NRRD_space value ITK gives them) and the domain kinds.

import type { ScalarComponentType } from '../../otsu/index.js';

export type ComponentType = ScalarComponentType;

/** NrrdIO's nrrdField names (airEnum, compared lower-cased), with the equivalent spellings. */
export const FIELDS: Record<string, string> = {
  content: 'content',
  number: 'number',
  type: 'type',
  'block size': 'block size',
  blocksize: 'block size',
  dimension: 'dimension',
  space: 'space',
  'space dimension': 'space dimension',
  spacedimension: 'space dimension',
  sizes: 'sizes',
  spacings: 'spacings',
  thicknesses: 'thicknesses',
  'axis mins': 'axis mins',
  axismins: 'axis mins',
  'axis maxs': 'axis maxs',
  axismaxs: 'axis maxs',
  'space directions': 'space directions',
  spacedirections: 'space directions',
  centers: 'centers',
  centerings: 'centers',
  kinds: 'kinds',
  labels: 'labels',
  units: 'units',
  min: 'min',
  max: 'max',
  'old min': 'old min',
  oldmin: 'old min',
  'old max': 'old max',
  oldmax: 'old max',
  endian: 'endian',
  encoding: 'encoding',
  'line skip': 'line skip',
  lineskip: 'line skip',
  'byte skip': 'byte skip',
  byteskip: 'byte skip',
  'key/value': 'key/value',
  'sample units': 'sample units',
  sampleunits: 'sample units',
  'space units': 'space units',
  spaceunits: 'space units',
  'space origin': 'space origin',
  spaceorigin: 'space origin',
  'measurement frame': 'measurement frame',
  measurementframe: 'measurement frame',
  'data file': 'data file',
  datafile: 'data file',
};

/** nrrdType spellings (lower-cased) of the types itk-wasm returns as 8–32-bit integer or float arrays. */
export const TYPES: Record<string, ComponentType> = {
  'signed char': 'int8',
  int8: 'int8',
  int8_t: 'int8',
  uchar: 'uint8',
  'unsigned char': 'uint8',
  uint8: 'uint8',
  uint8_t: 'uint8',
  short: 'int16',
  'short int': 'int16',
  'signed short': 'int16',
  'signed short int': 'int16',
  int16: 'int16',
  int16_t: 'int16',
  ushort: 'uint16',
  'unsigned short': 'uint16',
  'unsigned short int': 'uint16',
  uint16: 'uint16',
  uint16_t: 'uint16',
  int: 'int32',
  'signed int': 'int32',
  int32: 'int32',
  int32_t: 'int32',
  uint: 'uint32',
  'unsigned int': 'uint32',
  uint32: 'uint32',
  uint32_t: 'uint32',
  float: 'float32',
  double: 'float64',
};

/** What ITK's reader does with a 3-D space: flips of the first two coordinates, NRRD_space value. */
export interface SpaceInfo {
  flip: [number, number];
  name: string;
}
const LPS = 'left-posterior-superior';
const RAS: SpaceInfo = { flip: [-1, -1], name: LPS };
const LAS: SpaceInfo = { flip: [-1, 1], name: LPS };
const LPS_SPACE: SpaceInfo = { flip: [1, 1], name: LPS };
const SCANNER: SpaceInfo = { flip: [1, 1], name: 'scanner-xyz' };
const RIGHT_HANDED: SpaceInfo = { flip: [1, 1], name: '3D-right-handed' };
const LEFT_HANDED: SpaceInfo = { flip: [1, 1], name: '3D-left-handed' };
/** nrrdSpace spellings (lower-cased) of the 3-D spaces; the 4-D (time) ones are declined. */
export const SPACES: Record<string, SpaceInfo> = {
  'right-anterior-superior': RAS,
  'right anterior superior': RAS,
  rightanteriorsuperior: RAS,
  ras: RAS,
  'left-anterior-superior': LAS,
  'left anterior superior': LAS,
  leftanteriorsuperior: LAS,
  las: LAS,
  'left-posterior-superior': LPS_SPACE,
  'left posterior superior': LPS_SPACE,
  leftposteriorsuperior: LPS_SPACE,
  lps: LPS_SPACE,
  'scanner-xyz': SCANNER,
  '3d-right-handed': RIGHT_HANDED,
  '3d right handed': RIGHT_HANDED,
  '3drighthanded': RIGHT_HANDED,
  '3d-left-handed': LEFT_HANDED,
  '3d left handed': LEFT_HANDED,
  '3dlefthanded': LEFT_HANDED,
};

/** Domain kinds (nrrdKindIsDomain) by lower-cased name, with their canonical airEnumStr. */
export const DOMAIN_KINDS: Record<string, string> = { domain: 'domain', space: 'space', time: 'time' };
