// The image's metadata dictionary as ITK's NrrdImageIO fills it from the parsed NRRD header (key/value
// pairs and the NRRD_* entries), in the key order itk-wasm returns it.
import type { Header } from './fields.js';

/**
 * The metadata dictionary NrrdImageIO fills: ITK_InputFilterName = NrrdImageIO, the key/value
 * pairs (overriding it), then NRRD_thicknesses[i] (number), NRRD_centerings[i], NRRD_kinds[i],
 * NRRD_content, NRRD_old min/max (numbers), NRRD_space (left-posterior-superior for RAS/LAS/LPS),
 * in itk-wasm's (std::map, byte) key order.
 */
export function metadata(h: Header, dim: number): Map<string, string | number> {
  const m = new Map<string, string | number>();
  m.set('ITK_InputFilterName', 'NrrdImageIO');
  for (const [k, v] of h.keyValues) m.set(k, v);
  for (let i = 0; i < dim; i++) {
    const t = h.thicknesses?.[i];
    if (t !== undefined) m.set(`NRRD_thicknesses[${i}]`, t);
    const c = h.centers?.[i];
    if (c !== undefined) m.set(`NRRD_centerings[${i}]`, c);
    const k = h.kinds?.[i];
    if (k !== undefined) m.set(`NRRD_kinds[${i}]`, k);
  }
  if (h.content !== undefined) m.set('NRRD_content', h.content);
  if (h.oldMin !== undefined) m.set('NRRD_old min', h.oldMin);
  if (h.oldMax !== undefined) m.set('NRRD_old max', h.oldMax);
  if (h.space) m.set('NRRD_space', h.space.name);
  const keys = [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(keys.map((k) => [k, m.get(k)!]));
}
