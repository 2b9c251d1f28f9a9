// Pictures made of pixels, encoded by pngjs: one test image, the prediction grid, and the
// confusion matrix as a heat map. Charts with axes and text are SVG, in plots.ts.

import { PNG } from "pngjs";

/** One test image with the model's verdict, as the prediction showcase shows it. */
export interface ShowcaseSample {
  index: number;
  /** 28×28 grey values in [0, 1], row-major. */
  pixels: Float32Array;
  predicted: number;
  truth: number;
}

/** An RGB colour, each channel 0 to 255. */
type Rgb = readonly [number, number, number];

const IMAGE_SIDE = 28;
const WHITE: Rgb = [255, 255, 255];
/** Frame colour of a correct prediction. */
export const CORRECT_RGB: Rgb = [26, 127, 55];
/** Frame colour of a mistake. */
export const MISTAKE_RGB: Rgb = [207, 34, 46];

class Canvas {
  readonly png: PNG;
  constructor(width: number, height: number, background: Rgb) {
    this.png = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
    this.rect(0, 0, width, height, background);
  }
  set(x: number, y: number, [r, g, b]: Rgb): void {
    const i = (y * this.png.width + x) * 4;
    this.png.data[i] = r;
    this.png.data[i + 1] = g;
    this.png.data[i + 2] = b;
    this.png.data[i + 3] = 255;
  }
  rect(x0: number, y0: number, width: number, height: number, colour: Rgb): void {
    for (let y = y0; y < y0 + height; y++) for (let x = x0; x < x0 + width; x++) this.set(x, y, colour);
  }
  /** Draws a grey image scaled by `scale` (nearest neighbour), ink dark on white like paper. */
  image(x0: number, y0: number, pixels: Float32Array, side: number, scale: number): void {
    for (let y = 0; y < side * scale; y++) {
      for (let x = 0; x < side * scale; x++) {
        const v = pixels[Math.floor(y / scale) * side + Math.floor(x / scale)];
        const level = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
        this.set(x0 + x, y0 + y, [level, level, level]);
      }
    }
  }
  encode(): Buffer {
    return PNG.sync.write(this.png, { colorType: 2 });
  }
}

/** A PNG of one 28×28 image scaled up `scale` times. */
export function imagePng(pixels: Float32Array, scale = 3): Buffer {
  const canvas = new Canvas(IMAGE_SIDE * scale, IMAGE_SIDE * scale, WHITE);
  canvas.image(0, 0, pixels, IMAGE_SIDE, scale);
  return canvas.encode();
}

/** `data:image/png;base64,...` for a PNG, to embed it in SVG or HTML. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
}

/** Layout of the prediction grid: cell size and gaps in pixels. */
export function gridLayout(count: number, columns: number, scale: number) {
  const frame = 3;
  const gap = 4;
  const cell = IMAGE_SIDE * scale + 2 * frame;
  const rows = Math.ceil(count / columns);
  return { frame, gap, cell, rows, width: columns * cell + (columns + 1) * gap, height: rows * cell + (rows + 1) * gap };
}

/** The prediction grid as pixels: each image framed green when predicted right, red when wrong. */
export function predictionGridPng(samples: readonly ShowcaseSample[], columns = 8, scale = 2): Buffer {
  const layout = gridLayout(samples.length, columns, scale);
  const canvas = new Canvas(layout.width, layout.height, WHITE);
  samples.forEach((sample, k) => {
    const x = layout.gap + (k % columns) * (layout.cell + layout.gap);
    const y = layout.gap + Math.floor(k / columns) * (layout.cell + layout.gap);
    canvas.rect(x, y, layout.cell, layout.cell, sample.predicted === sample.truth ? CORRECT_RGB : MISTAKE_RGB);
    canvas.image(x + layout.frame, y + layout.frame, sample.pixels, IMAGE_SIDE, scale);
  });
  return canvas.encode();
}

/** The confusion matrix as a heat map: cell (row = true class, column = predicted) darker for more of the row. */
export function confusionPng(confusion: readonly (readonly number[])[], cellSize = 24): Buffer {
  const n = confusion.length;
  const canvas = new Canvas(n * cellSize, n * cellSize, WHITE);
  for (let i = 0; i < n; i++) {
    const total = confusion[i].reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) {
      const share = total === 0 ? 0 : confusion[i][j] / total;
      canvas.rect(j * cellSize, i * cellSize, cellSize, cellSize, heat(share));
    }
  }
  return canvas.encode();
}

/** White to dark blue; the square root makes small confusions visible beside the diagonal. */
function heat(share: number): Rgb {
  const t = Math.sqrt(share);
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  return [mix(247, 8), mix(251, 48), mix(255, 107)];
}
