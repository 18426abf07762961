// An RGBA pixel buffer and the few drawing primitives the report needs (rectangles, lines, alpha
// blending), on a plain Uint8Array so the report has no canvas or native dependency. Encoding to
// PNG lives in png.ts, glyphs in bitmap-font.ts.

/** sRGB colour, 0..255 per channel. */
export type Rgb = readonly [number, number, number];

export class Raster {
  readonly width: number;
  readonly height: number;
  /** Row-major RGBA, 4 bytes per pixel, top row first. */
  readonly data: Uint8Array;
  /** The same pixels as one 32-bit word each. */
  private readonly pixels: Uint32Array;

  /** A raster filled with `background`, or (`background` null) a view of `data`'s first width × height pixels. */
  constructor(width: number, height: number, background: Rgb | null = [0, 0, 0], data?: Uint8Array) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`raster size must be positive integers, got ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.data = data ? data.subarray(0, width * height * 4) : new Uint8Array(width * height * 4);
    this.pixels = new Uint32Array(this.data.buffer, this.data.byteOffset, width * height);
    if (background) this.fillRect(0, 0, width, height, background);
  }

  /** Rows y … y + height − 1 as a raster sharing this one's pixels (drawing into it draws here). */
  rows(y: number, height: number): Raster {
    if (!Number.isInteger(y) || y < 0 || y + height > this.height) {
      throw new RangeError(`rows ${y}..${y + height - 1} are outside a raster of ${this.height} rows`);
    }
    return new Raster(this.width, height, null, this.data.subarray(y * this.width * 4));
  }

  /** RGBA of one pixel (for tests and checks). */
  pixel(x: number, y: number): [number, number, number, number] {
    const o = (y * this.width + x) * 4;
    const d = this.data;
    return [d[o]!, d[o + 1]!, d[o + 2]!, d[o + 3]!];
  }

  setPixel(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4;
    this.data[o] = c[0];
    this.data[o + 1] = c[1];
    this.data[o + 2] = c[2];
    this.data[o + 3] = 255;
  }

  /** Rectangle clipped to the raster; x/y/w/h are rounded to whole pixels. */
  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    if (x1 <= x0 || y1 <= y0) return;
    // One 32-bit store per pixel (native fill), not four byte stores: the report's rasters are
    // filled whole on every cold run.
    const words = this.words();
    const value = packRgba(c[0], c[1], c[2]);
    for (let yy = y0; yy < y1; yy++) words.fill(value, yy * this.width + x0, yy * this.width + x1);
  }

  /** The pixels as one 32-bit word each (RGBA in memory order). */
  words(): Uint32Array {
    return this.pixels;
  }

  /** Copy `src` with its top-left corner at (x, y), clipped (row by row, native copies). */
  blit(src: Raster, x: number, y: number): void {
    const sx0 = Math.max(0, -x);
    const sx1 = Math.min(src.width, this.width - x);
    if (sx1 <= sx0) return;
    for (let sy = Math.max(0, -y); sy < src.height && y + sy < this.height; sy++) {
      const from = (sy * src.width + sx0) * 4;
      this.data.set(src.data.subarray(from, from + (sx1 - sx0) * 4), ((y + sy) * this.width + x + sx0) * 4);
    }
  }
}

/** Whether this machine stores multi-byte words little-endian (the RGBA packing depends on it). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** (r, g, b) as an opaque RGBA pixel in one 32-bit word, in the byte order of `Raster.words()`. */
export function packRgba(r: number, g: number, b: number): number {
  return LITTLE_ENDIAN
    ? (r | (g << 8) | (b << 16) | (255 << 24)) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

/** One channel of `base` seen through a layer of `over` with opacity `alpha` (0..1), rounded. */
export function blendChannel(base: number, over: number, alpha: number): number {
  return Math.round(base * (1 - alpha) + over * alpha);
}
