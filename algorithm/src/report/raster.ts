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

  constructor(width: number, height: number, background: Rgb = [0, 0, 0]) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`raster size must be positive integers, got ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
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
    for (let yy = y0; yy < y1; yy++) {
      let o = (yy * this.width + x0) * 4;
      for (let xx = x0; xx < x1; xx++, o += 4) {
        this.data[o] = c[0];
        this.data[o + 1] = c[1];
        this.data[o + 2] = c[2];
        this.data[o + 3] = 255;
      }
    }
  }

  /** Copy `src` with its top-left corner at (x, y), clipped. */
  blit(src: Raster, x: number, y: number): void {
    for (let sy = 0; sy < src.height; sy++) {
      const ty = y + sy;
      if (ty < 0 || ty >= this.height) continue;
      for (let sx = 0; sx < src.width; sx++) {
        const tx = x + sx;
        if (tx < 0 || tx >= this.width) continue;
        const so = (sy * src.width + sx) * 4;
        const to = (ty * this.width + tx) * 4;
        this.data[to] = src.data[so]!;
        this.data[to + 1] = src.data[so + 1]!;
        this.data[to + 2] = src.data[so + 2]!;
        this.data[to + 3] = src.data[so + 3]!;
      }
    }
  }
}

/** `base` seen through a layer of `over` with opacity `alpha` (0..1), rounded per channel. */
export function blend(base: Rgb, over: Rgb, alpha: number): Rgb {
  return [
    Math.round(base[0] * (1 - alpha) + over[0] * alpha),
    Math.round(base[1] * (1 - alpha) + over[1] * alpha),
    Math.round(base[2] * (1 - alpha) + over[2] * alpha),
  ];
}
