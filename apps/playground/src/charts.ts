// The page's pictures, drawn on canvases by hand: line charts (loss, accuracy, gradient flow), the
// confusion matrix and the grid of test predictions. A line chart averages its points into one
// per pixel column before drawing, so a redraw costs the same after ten steps or ten thousand.

/** Okabe–Ito colours: told apart with any colour vision, readable on white. */
export const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

/** One line of a chart: y values at x = 0, 1, 2, … (or at the given xs). */
export interface Series {
  label: string;
  ys: number[];
  xs?: number[];
  /** Draw dots instead of a line (sparse points such as per-epoch tests). */
  dots?: boolean;
}

/** How a line chart lays out its axes. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  /** Plot log10(y) (values <= 0 are skipped). */
  logY?: boolean;
  /** Fixed y range; otherwise fitted to the data. */
  yMin?: number;
  yMax?: number;
  /** The x range is at least 0 to this. */
  xMax?: number;
}

const PAD = { left: 48, right: 12, top: 24, bottom: 34 };

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext("2d");
  if (ctx === null) throw new Error("this browser gives no 2-D canvas");
  return ctx;
}

/** Averages (x, y) points into at most `buckets` points evenly spread over [0, xMax]. */
export function downsample(xs: number[], ys: number[], xMax: number, buckets: number): { xs: number[]; ys: number[] } {
  if (xs.length <= buckets) return { xs, ys };
  const sums = new Float64Array(buckets);
  const xSums = new Float64Array(buckets);
  const counts = new Uint32Array(buckets);
  for (let i = 0; i < xs.length; i++) {
    const b = Math.min(buckets - 1, Math.floor((xs[i] / Math.max(xMax, 1e-9)) * buckets));
    sums[b] += ys[i];
    xSums[b] += xs[i];
    counts[b]++;
  }
  const outX: number[] = [];
  const outY: number[] = [];
  for (let b = 0; b < buckets; b++) {
    if (counts[b] === 0) continue;
    outX.push(xSums[b] / counts[b]);
    outY.push(sums[b] / counts[b]);
  }
  return { xs: outX, ys: outY };
}

function ticks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function formatTick(v: number, logY: boolean): string {
  if (logY) return `1e${v}`;
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k`;
  return String(Number(v.toPrecision(3)));
}

/** Draws a line chart of `series` into `canvas` (its CSS size times the device pixel ratio). */
export function drawLineChart(canvas: HTMLCanvasElement, series: Series[], options: ChartOptions): void {
  const ctx = context(canvas);
  const { width, height } = canvas;
  const scale = width / canvas.clientWidth || 1;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  const w = width / scale;
  const h = height / scale;
  ctx.clearRect(0, 0, w, h);
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = "#1a1a1a";
  ctx.fillText(options.title, PAD.left, 15);
  const plotW = w - PAD.left - PAD.right;
  const plotH = h - PAD.top - PAD.bottom;
  // loops rather than spreads: a long run has more points than a call takes arguments
  let low = Infinity;
  let high = -Infinity;
  const prepared = series.map((s) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < s.ys.length; i++) {
      const y = options.logY === true ? Math.log10(s.ys[i]) : s.ys[i];
      if (!Number.isFinite(y)) continue;
      xs.push(s.xs?.[i] ?? i);
      ys.push(y);
      low = Math.min(low, y);
      high = Math.max(high, y);
    }
    return { ...s, xs, ys };
  });
  let xMax = options.xMax ?? 1;
  for (const s of prepared) if (s.xs.length > 0) xMax = Math.max(xMax, s.xs[s.xs.length - 1]);
  if (xMax <= 0) xMax = 1;
  let yMin = options.yMin ?? (low <= high ? low : 0);
  let yMax = options.yMax ?? (low <= high ? high : 1);
  if (yMax - yMin < 1e-9) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const px = (x: number) => PAD.left + (x / xMax) * plotW;
  const py = (y: number) => PAD.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  // axes and grid
  ctx.strokeStyle = "#d0d0d0";
  ctx.lineWidth = 1;
  ctx.fillStyle = "#404040";
  ctx.textAlign = "right";
  for (const t of ticks(yMin, yMax, 4)) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, py(t));
    ctx.lineTo(PAD.left + plotW, py(t));
    ctx.stroke();
    ctx.fillText(formatTick(t, options.logY === true), PAD.left - 4, py(t) + 4);
  }
  ctx.textAlign = "center";
  for (const t of ticks(0, xMax, 5)) ctx.fillText(formatTick(t, false), px(t), PAD.top + plotH + 14);
  ctx.fillText(options.xLabel, PAD.left + plotW / 2, h - 4);
  ctx.strokeStyle = "#404040";
  ctx.strokeRect(PAD.left, PAD.top, plotW, plotH);
  // lines
  prepared.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length];
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 1.5;
    if (s.dots === true) {
      s.xs.forEach((x, i) => {
        ctx.beginPath();
        ctx.arc(px(x), py(s.ys[i]), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    } else {
      const d = downsample(s.xs, s.ys, xMax, Math.max(2, Math.floor(plotW)));
      ctx.beginPath();
      d.xs.forEach((x, i) => (i === 0 ? ctx.moveTo(px(x), py(d.ys[i])) : ctx.lineTo(px(x), py(d.ys[i]))));
      ctx.stroke();
    }
  });
  // legend
  ctx.textAlign = "left";
  let lx = PAD.left + 8;
  let ly = PAD.top + 14;
  prepared.forEach((s, k) => {
    const itemWidth = 22 + ctx.measureText(s.label).width;
    if (lx > PAD.left + 8 && lx + itemWidth > PAD.left + plotW) {
      lx = PAD.left + 8;
      ly += 14;
    }
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)"; // the lines show through, the text stays readable
    ctx.fillRect(lx - 3, ly - 11, itemWidth, 15);
    ctx.fillStyle = COLOURS[k % COLOURS.length];
    ctx.fillRect(lx, ly - 8, 10, 10);
    ctx.fillStyle = "#1a1a1a";
    ctx.fillText(s.label, lx + 14, ly + 1);
    lx += itemWidth;
  });
}

/** Draws the confusion matrix (rows: true class, columns: predicted), counts in the cells. */
export function drawConfusion(canvas: HTMLCanvasElement, confusion: number[][], classes: readonly string[]): void {
  const ctx = context(canvas);
  const { width, height } = canvas;
  const scale = width / canvas.clientWidth || 1;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  const w = width / scale;
  const h = height / scale;
  ctx.clearRect(0, 0, w, h);
  const left = 90;
  const top = 24;
  const n = confusion.length;
  const cell = Math.min((w - left - 8) / n, (h - top - 8) / n);
  const rowMax = confusion.map((row) => Math.max(1, row.reduce((a, b) => a + b, 0)));
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = "#1a1a1a";
    ctx.textAlign = "right";
    ctx.fillText(classes[i], left - 6, top + (i + 0.5) * cell);
    ctx.textAlign = "center";
    ctx.fillText(String(i), left + (i + 0.5) * cell, top - 10);
    for (let j = 0; j < n; j++) {
      const share = confusion[i][j] / rowMax[i];
      const light = Math.round(255 - share * 200);
      ctx.fillStyle = i === j ? `rgb(${light},${Math.round(255 - share * 120)},${light})` : `rgb(255,${light},${light})`;
      ctx.fillRect(left + j * cell, top + i * cell, cell - 1, cell - 1);
      ctx.fillStyle = share > 0.6 ? "#ffffff" : "#1a1a1a";
      if (confusion[i][j] > 0) ctx.fillText(String(confusion[i][j]), left + (j + 0.5) * cell, top + (i + 0.5) * cell);
    }
  }
  ctx.textBaseline = "alphabetic";
}

/** Draws 28×28 greyscale images (bytes, 784 each, white on black) scaled onto a canvas at (x, y). */
export function drawDigit(ctx: CanvasRenderingContext2D, pixels: ArrayLike<number>, at: number, x: number, y: number, size: number, maxValue = 255): void {
  const image = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round((pixels[at + i] / maxValue) * 255);
    image.data[4 * i] = v;
    image.data[4 * i + 1] = v;
    image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }
  const tile = new OffscreenCanvas(28, 28);
  const tileCtx = tile.getContext("2d");
  if (tileCtx === null) return;
  tileCtx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, x, y, size, size);
}

/** Draws the first test images with their predicted class; a wrong prediction gets a red frame and the true class. */
export function drawPredictionGrid(canvas: HTMLCanvasElement, pixels: Uint8Array, targets: Int32Array, predictions: Int32Array, classes: readonly string[], columns = 8): number {
  const ctx = context(canvas);
  const { width, height } = canvas;
  const scale = width / canvas.clientWidth || 1;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  const w = width / scale;
  const h = height / scale;
  ctx.clearRect(0, 0, w, h);
  const cellW = w / columns;
  const size = Math.min(cellW - 10, 56);
  const cellH = size + 30;
  const rows = Math.floor(h / cellH);
  const count = Math.min(rows * columns, targets.length, predictions.length);
  let mistakes = 0;
  ctx.font = "10px system-ui, sans-serif";
  ctx.textAlign = "center";
  for (let i = 0; i < count; i++) {
    const x = (i % columns) * cellW + (cellW - size) / 2;
    const y = Math.floor(i / columns) * cellH + 2;
    drawDigit(ctx, pixels, i * 784, x, y, size);
    const wrong = predictions[i] !== targets[i];
    if (wrong) mistakes++;
    ctx.strokeStyle = wrong ? "#C00000" : "#009E73";
    ctx.lineWidth = wrong ? 3 : 1;
    ctx.strokeRect(x - 1, y - 1, size + 2, size + 2);
    ctx.fillStyle = wrong ? "#A00000" : "#1a1a1a";
    ctx.fillText(classes[predictions[i]], x + size / 2, y + size + 11);
    if (wrong) ctx.fillText(`(is ${classes[targets[i]]})`, x + size / 2, y + size + 23);
  }
  return mistakes;
}
