// The playground end to end: build the site, serve it on 127.0.0.1 (with and without the headers
// that make a page cross-origin isolated), drive Debian's Chromium through playwright-core, give
// the page a small IDX data set made here, train 200 steps and check what the page shows and
// exports. Skipped where /usr/bin/chromium is not installed.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "@tg/data";
import { loadSafetensors, loadSafetensorsMetadata } from "@tg/nn";
import { noGrad, Rng, tensor } from "@tg/tensor";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlp } from "./models.js";
import { HAS_CHROMIUM, launch, openPlayground, startTraining, status, waitForRun } from "./node/drive.js";
import { serveStatic } from "./node/static-server.js";

const APP = fileURLToPath(new URL("..", import.meta.url));

/**
 * A learnable toy set in the IDX format: an image of class c is dark noise with a bright band
 * across rows 2c+3 to 2c+5, so a model that learns anything gets it right.
 */
function toySplit(count: number, rng: Rng): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(10);
    labels[i] = c;
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const band = row >= 2 * c + 3 && row <= 2 * c + 5;
      images[i * 784 + p] = Math.min(255, Math.floor(rng.uniform() * 90) + (band ? 160 : 0));
    }
  }
  return { images, labels };
}

function writeToySet(dir: string): string[] {
  const rng = new Rng(7);
  const train = toySplit(640, rng);
  const test = toySplit(200, rng);
  const idx = (data: Uint8Array, shape: number[]) => encodeIdx({ shape, data });
  const files: [string, Uint8Array][] = [
    // one gzipped, the others plain: the page takes both
    ["train-images-idx3-ubyte.gz", gzipSync(idx(train.images, [640, 28, 28]))],
    ["train-labels-idx1-ubyte", idx(train.labels, [640])],
    ["t10k-images-idx3-ubyte", idx(test.images, [200, 28, 28])],
    ["t10k-labels-idx1-ubyte", idx(test.labels, [200])],
  ];
  return files.map(([name, bytes]) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  });
}

/** 10 epochs of 20 steps (640 images, batch 32): 200 steps. */
const TWO_HUNDRED_STEPS = { "batch-size": "32", epochs: "10" };

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Counts the pixels of a canvas that are not blank (transparent or white). */
function inkedPixels(page: Page, id: string): Promise<number> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) inked++;
    return inked;
  }, id);
}

describe.skipIf(!HAS_CHROMIUM)("the playground in headless Chromium", () => {
  let dir: string;
  let files: string[];
  let browser: Browser;
  let dist: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "playground-test-"));
    files = writeToySet(dir);
    dist = join(dir, "dist");
    await build({ root: APP, configFile: join(APP, "vite.config.ts"), logLevel: "silent", build: { outDir: dist, emptyOutDir: true } });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("trains on Web Workers on a cross-origin isolated page: the loss falls, the charts draw, the sketch and the export work", async () => {
    const server = await serveStatic(dist, { isolated: true, dataDirs: [] });
    try {
      const { page, problems } = await openPlayground(browser, server.url);
      const ready = await status(page);
      expect(ready.engine).toMatchObject({ isolated: true, wasm: true });
      expect(ready.engine.threads).toBe(ready.engine.maxThreads);
      await page.setInputFiles("#files", files);
      await page.waitForFunction(() => document.getElementById("data-status")?.textContent?.startsWith("Loaded 640 training and 200 test images"));

      await startTraining(page, TWO_HUNDRED_STEPS);
      const run = await waitForRun(page, 120_000);
      expect(run.errors).toEqual([]);
      expect(run.state).toBe("done");
      expect(run.losses).toHaveLength(200);
      expect(mean(run.losses.slice(-20))).toBeLessThan(0.5 * mean(run.losses.slice(0, 20)));
      expect(run.epochs).toHaveLength(10);
      expect(run.epochs[9].testAccuracy).toBeGreaterThan(0.9);
      // the charts drew, and the test results too
      expect(run.chartFrames).toBeGreaterThan(1);
      for (const id of ["loss-chart", "accuracy-chart", "gradient-chart", "confusion", "grid"]) {
        expect(await inkedPixels(page, id), id).toBeGreaterThan(2000);
      }

      // a sketch: 10 probabilities that sum to 1
      const box = (await page.locator("#sketch").boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.4);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.45, { steps: 12 });
      await page.mouse.up();
      await page.waitForFunction(() => document.querySelectorAll("#sketch-probs li").length === 10);
      const probabilities = await page.$$eval("#sketch-probs .value", (els) => els.map((e) => Number((e as HTMLElement).dataset.probability)));
      expect(probabilities).toHaveLength(10);
      expect(mean(probabilities) * 10).toBeCloseTo(1, 6);
      expect(await page.locator("#test-probs li").count()).toBe(10);

      // the export is a safetensors file that @tg/nn loads into the same model, with the same logits
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
      const bytes = readFileSync((await download.path())!);
      expect(loadSafetensorsMetadata(bytes)).toMatchObject({ format: "pt", architecture: "mlp" });
      const model = mlp(new Rng(123));
      model.loadStateDict(loadSafetensors(bytes));
      model.eval();
      const inputs = Array.from(readFileSync(files[2]).subarray(16, 16 + 3 * 784), (v) => v / 255);
      const expected = noGrad(() => model.forward(tensor(inputs, { shape: [3, 1, 28, 28] })).toArray()) as number[][];
      const logits = await page.evaluate((pixels) => (window as unknown as { playground: { logits(p: number[]): Promise<number[][]> } }).playground.logits(pixels), inputs);
      expect(logits).toHaveLength(3);
      logits.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 4)));

      // and the page loads it back as a checkpoint
      const saved = join(dir, "exported.safetensors");
      writeFileSync(saved, bytes);
      await page.setInputFiles("#checkpoint", saved);
      await page.waitForFunction(() => document.getElementById("model-status")?.textContent?.startsWith("Loaded exported.safetensors: the mlp model"));

      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 240_000);

  it("trains on one thread on a page without the isolation headers, and says so; the server's data loads", async () => {
    const server = await serveStatic(dist, { isolated: false, dataDirs: [dir] });
    try {
      const { page, problems } = await openPlayground(browser, server.url);
      const ready = await status(page);
      expect(ready.engine).toMatchObject({ isolated: false, threads: 1 });
      expect(await page.textContent("#engine")).toContain("1 thread: this page is not cross-origin isolated");
      await page.waitForFunction(() => !(document.getElementById("server-data") as HTMLButtonElement).disabled);
      await page.click("#server-data");
      await page.waitForFunction(() => document.getElementById("data-status")?.textContent?.startsWith("Loaded 640 training"));

      await startTraining(page, TWO_HUNDRED_STEPS);
      const run = await waitForRun(page, 120_000);
      expect(run.errors).toEqual([]);
      expect(run.losses).toHaveLength(200);
      expect(mean(run.losses.slice(-20))).toBeLessThan(0.5 * mean(run.losses.slice(0, 20)));
      expect(await inkedPixels(page, "loss-chart")).toBeGreaterThan(2000);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 240_000);
});
