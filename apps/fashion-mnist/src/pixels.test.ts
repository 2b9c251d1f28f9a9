import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { confusionPng, CORRECT_RGB, gridLayout, imagePng, MISTAKE_RGB, pngDataUrl, predictionGridPng } from "./pixels.js";
import { fakeConfusion, fakeSamples } from "./testing/fixtures.js";

function rgbAt(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}

describe("imagePng", () => {
  it("scales a 28×28 image with dark ink on white", () => {
    const pixels = new Float32Array(784);
    pixels[0] = 1; // top-left pixel fully inked
    const png = PNG.sync.read(imagePng(pixels, 3));
    expect([png.width, png.height]).toEqual([84, 84]);
    expect(rgbAt(png, 2, 2)).toEqual([0, 0, 0]);
    expect(rgbAt(png, 3, 3)).toEqual([255, 255, 255]);
  });
  it("embeds as a base64 data URL that decodes to the same bytes", () => {
    const bytes = imagePng(new Float32Array(784));
    const url = pngDataUrl(bytes);
    expect(url.startsWith("data:image/png;base64,")).toBe(true);
    expect(Buffer.from(url.split(",")[1], "base64").equals(bytes)).toBe(true);
  });
});

describe("predictionGridPng", () => {
  it("lays the images out in rows and frames mistakes red, correct ones green", () => {
    const samples = fakeSamples(10);
    const layout = gridLayout(10, 4, 2);
    const png = PNG.sync.read(predictionGridPng(samples, 4, 2));
    expect([png.width, png.height]).toEqual([layout.width, layout.height]);
    expect(layout.rows).toBe(3);
    samples.forEach((s, k) => {
      const x = layout.gap + (k % 4) * (layout.cell + layout.gap);
      const y = layout.gap + Math.floor(k / 4) * (layout.cell + layout.gap);
      expect(rgbAt(png, x, y)).toEqual([...(s.predicted === s.truth ? CORRECT_RGB : MISTAKE_RGB)]);
    });
  });
});

describe("confusionPng", () => {
  it("draws one cell per class pair, darkest on the diagonal", () => {
    const png = PNG.sync.read(confusionPng(fakeConfusion(), 10));
    expect([png.width, png.height]).toEqual([100, 100]);
    const diagonal = rgbAt(png, 35, 35);
    const offDiagonal = rgbAt(png, 35, 5);
    expect(diagonal[0]).toBeLessThan(offDiagonal[0]);
    expect(rgbAt(png, 30, 30)).toEqual(rgbAt(png, 39, 39)); // one colour per cell
  });
  it("draws the cells of a class with no images in the lightest colour", () => {
    const confusion = fakeConfusion();
    confusion[2] = confusion[2].map(() => 0);
    const png = PNG.sync.read(confusionPng(confusion, 10));
    for (let j = 0; j < 10; j++) expect(rgbAt(png, j * 10 + 5, 25)).toEqual([247, 251, 255]);
  });
});
