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
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from "@tg/nn";
import { noGrad, Rng, tensor } from "@tg/tensor";
import type { Browser, Page } from "playwright-core";
import { build, createServer, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cnn, mlp } from "./models.js";
import { CHROMIUM, HAS_CHROMIUM, launch, openPlayground, startTraining, status, waitForRun } from "./node/drive.js";
import { ISOLATION_HEADERS, serveStatic } from "./node/static-server.js";

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

if (!HAS_CHROMIUM) {
  console.warn(`the playground's browser tests are SKIPPED: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
}

describe.skipIf(!HAS_CHROMIUM)(`the playground in headless Chromium${HAS_CHROMIUM ? "" : ` (skipped: no ${CHROMIUM})`}`, () => {
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
    // the site in a subfolder of the host, as static hosts often place it
    const server = await serveStatic(dir, { isolated: true, dataDirs: [] });
    try {
      const { page, problems } = await openPlayground(browser, `${server.url}dist/`);
      // every control has a name a screen reader can say
      const unnamed = await page.$$eval("input, select, button, canvas[tabindex]", (controls) =>
        controls.filter((c) => {
          const labelled = c instanceof HTMLInputElement || c instanceof HTMLSelectElement ? (c.labels?.length ?? 0) > 0 : false;
          return !labelled && !c.getAttribute("aria-label") && !c.getAttribute("aria-labelledby") && !(c.textContent ?? "").trim();
        }).map((c) => c.id));
      expect(unnamed).toEqual([]);
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
      const logits = await page.evaluate((pixels) => window.playground.logits(pixels), inputs);
      expect(logits).toHaveLength(3);
      logits.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 4)));

      // and the page loads it back as a checkpoint
      const saved = join(dir, "exported.safetensors");
      writeFileSync(saved, bytes);
      await page.setInputFiles("#checkpoint", saved);
      await page.waitForFunction(() => document.getElementById("model-status")?.textContent?.startsWith("Loaded exported.safetensors: the mlp model"));

      // a CNN checkpoint without metadata (as PyTorch writes them): the page finds the architecture
      // from the tensors' names and shapes, and predicts as @tg/nn does in Node
      const convnet = cnn(new Rng(5));
      convnet.eval();
      writeFileSync(join(dir, "convnet.safetensors"), saveSafetensors(convnet));
      await page.setInputFiles("#checkpoint", join(dir, "convnet.safetensors"));
      await page.waitForFunction(() => document.getElementById("model-status")?.textContent?.startsWith("Loaded convnet.safetensors: the cnn model"));
      const cnnExpected = noGrad(() => convnet.forward(tensor(inputs, { shape: [3, 1, 28, 28] })).toArray()) as number[][];
      const cnnLogits = await page.evaluate((pixels) => window.playground.logits(pixels), inputs);
      cnnLogits.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(cnnExpected[i][j], 4)));

      // a file that is no checkpoint: the page says why, and keeps its model
      writeFileSync(join(dir, "broken.safetensors"), new Uint8Array([1, 2, 3]));
      await page.setInputFiles("#checkpoint", join(dir, "broken.safetensors"));
      await page.waitForFunction(() => document.getElementById("model-status")?.classList.contains("error") === true);
      expect(await page.textContent("#model-status")).toMatch(/^Error: .+/);
      expect((await status(page)).errors).toHaveLength(1);
      expect(await page.evaluate((pixels) => window.playground.logits(pixels), inputs)).toEqual(cnnLogits);

      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 240_000);

  it("trains on one thread on a page without the isolation headers, and says so; shows errors; pauses, resumes and stops", async () => {
    const server = await serveStatic(dist, { isolated: false, dataDirs: [dir] });
    try {
      const { page, problems } = await openPlayground(browser, server.url);
      const ready = await status(page);
      expect(ready.engine).toMatchObject({ isolated: false, threads: 1 });
      expect(await page.textContent("#engine")).toContain("1 thread: this page is not cross-origin isolated");

      // four dropped files that disagree: the page says which one is wrong, and stays without data
      const rng = new Rng(1);
      const small = toySplit(4, rng);
      const bad: [string, number[]][] = [
        ["train-images-idx3-ubyte", Array.from(encodeIdx({ shape: [4, 28, 28], data: small.images }))],
        ["train-labels-idx1-ubyte", Array.from(encodeIdx({ shape: [5], data: new Uint8Array(5) }))],
        ["t10k-images-idx3-ubyte", Array.from(encodeIdx({ shape: [4, 28, 28], data: small.images }))],
        ["t10k-labels-idx1-ubyte", Array.from(encodeIdx({ shape: [4], data: small.labels }))],
      ];
      const dropped = await page.evaluateHandle((list) => {
        const transfer = new DataTransfer();
        for (const [name, bytes] of list) transfer.items.add(new File([new Uint8Array(bytes)], name));
        return transfer;
      }, bad);
      await page.dispatchEvent("#drop", "drop", { dataTransfer: dropped });
      await page.waitForFunction(() => document.getElementById("data-status")?.classList.contains("error") === true);
      const dataError = "train-labels-idx1-ubyte should hold 4 u8 labels, found [5]";
      expect(await page.textContent("#data-status")).toBe(`Error: ${dataError}`);
      expect(await page.isDisabled("#start")).toBe(true);

      await page.waitForFunction(() => !(document.getElementById("server-data") as HTMLButtonElement).disabled);
      await page.click("#server-data");
      await page.waitForFunction(() => document.getElementById("data-status")?.textContent?.startsWith("Loaded 640 training"));

      // a setting the trainer refuses: the page says so
      await startTraining(page, { lr: "0" });
      const settingsError = "learning rate must be a number > 0, got 0";
      await page.waitForFunction((text) => document.getElementById("train-status")?.textContent === text, `Error: ${settingsError}`);

      // pause after a few steps: the steps stop while the page goes on painting; then resume to the end
      const errorsBefore = await startTraining(page, { lr: "0.001", ...TWO_HUNDRED_STEPS });
      await page.waitForFunction(() => window.playground.status().losses.length >= 30, null, { polling: 20 });
      await page.click("#pause");
      await page.waitForFunction(() => window.playground.status().state === "paused");
      await page.waitForTimeout(300);
      const paused = await status(page);
      await page.waitForTimeout(700);
      const stillPaused = await status(page);
      expect(stillPaused.state).toBe("paused");
      expect(stillPaused.losses.length).toBe(paused.losses.length);
      expect(paused.losses.length).toBeLessThan(200);
      expect(stillPaused.animationFrames).toBeGreaterThan(paused.animationFrames);
      expect(await page.textContent("#train-status")).toBe("Paused.");
      await page.click("#resume");
      const run = await waitForRun(page, 120_000, errorsBefore);
      expect(run.state).toBe("done");
      expect(run.errors).toEqual([dataError, settingsError]);
      expect(run.losses).toHaveLength(200);
      expect(mean(run.losses.slice(-20))).toBeLessThan(0.5 * mean(run.losses.slice(0, 20)));
      expect(await inkedPixels(page, "loss-chart")).toBeGreaterThan(2000);

      // a long run, stopped early; the page keeps painting while the worker trains
      const before = await startTraining(page, { epochs: "100" });
      await page.waitForFunction(() => window.playground.status().losses.length >= 20, null, { polling: 20 });
      const training = await status(page);
      await page.waitForTimeout(500);
      const later = await status(page);
      expect(later.state).toBe("training");
      expect(later.animationFrames).toBeGreaterThan(training.animationFrames);
      await page.click("#stop");
      const stopped = await waitForRun(page, 60_000, before);
      expect(stopped.state).toBe("stopped");
      expect(stopped.losses.length).toBeLessThan(2000);
      expect(await page.textContent("#train-status")).toBe("Stopped.");
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 240_000);
  it("`pnpm playground` (the Vite dev server) sends the isolation headers and trains on all threads", async () => {
    const server = await createServer({ root: APP, configFile: join(APP, "vite.config.ts"), logLevel: "silent", server: { port: 0, strictPort: false } });
    await server.listen();
    try {
      const url = server.resolvedUrls?.local[0];
      expect(url).toBeDefined();
      const { page, problems } = await openPlayground(browser, url!, 120_000);
      const ready = await status(page);
      expect(ready.engine).toMatchObject({ isolated: true, wasm: true });
      expect(ready.engine.threads).toBe(ready.engine.maxThreads);
      await page.setInputFiles("#files", files);
      await page.waitForFunction(() => document.getElementById("data-status")?.textContent?.startsWith("Loaded 640 training"));
      await startTraining(page, { "batch-size": "32", epochs: "1" });
      const run = await waitForRun(page, 120_000);
      expect(run.errors).toEqual([]);
      expect(run.state).toBe("done");
      expect(run.losses).toHaveLength(20);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 240_000);

  it("`vite preview` serves the built site with the isolation headers", async () => {
    const server = await preview({ root: APP, configFile: join(APP, "vite.config.ts"), logLevel: "silent", build: { outDir: dist }, preview: { port: 0, strictPort: false } });
    try {
      const response = await fetch(server.resolvedUrls!.local[0]);
      expect(response.status).toBe(200);
      for (const [name, value] of Object.entries(ISOLATION_HEADERS)) expect(response.headers.get(name)).toBe(value);
      expect(await response.text()).toContain("tg playground");
    } finally {
      await new Promise<void>((resolve, reject) => server.httpServer.close((err) => (err ? reject(err) : resolve())));
    }
  }, 60_000);
});
