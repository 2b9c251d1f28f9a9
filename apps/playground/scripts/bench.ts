// Benchmark (not a test): one MLP epoch on the real Fashion-MNIST, batch 64, AdamW, trained in the
// page (headless Chromium, cross-origin isolated) and the same loop in Node on this machine. After
// an epoch that warms each up (the page's also gives the screenshot and the exported model), each
// round trains the page on all threads with the live charts on and off (in turn, which first),
// then on one thread, then in Node while the page idles. Prints a table of the medians.
//
//   pnpm --filter playground bench [--rounds N] [--screenshot FILE] [--export FILE]
//
// --rounds sets the rounds (default 4); --screenshot writes a picture of the page after the first
// (warm-up) epoch; --export saves its model.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadFashionMNIST } from "@tg/data/node";
import { getNumThreads, initWasm } from "@tg/tensor";
import { build } from "vite";
import type { Page } from "playwright-core";
import { findDataDir, searchDirs } from "../src/node/dataset-middleware.js";
import { HAS_CHROMIUM, launch, openPlayground, startTraining, status, waitForRun } from "../src/node/drive.js";
import type { PageStatus } from "../src/protocol.js";
import { serveStatic } from "../src/node/static-server.js";
import type { Split } from "../src/data.js";
import { DEFAULT_SETTINGS, Trainer } from "../src/trainer.js";

interface Row {
  where: string;
  threads: number;
  charts: string;
  seconds: number;
  samplesPerSecond: number;
  testAccuracy: number;
  chartFps: number | null;
  /** Mean milliseconds per chart redraw. */
  drawMs: number | null;
}

const APP = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({ options: { rounds: { type: "string", default: "4" }, screenshot: { type: "string" }, export: { type: "string" } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`playground bench: --rounds must be a positive integer, got ${values.rounds}`);
  process.exit(2);
}

async function pageEpoch(page: Page, threads: number, charts: boolean): Promise<{ row: Row; run: PageStatus }> {
  await page.selectOption("#threads", String(threads));
  await page.waitForFunction((n) => window.playground.status().engine.threads === n, threads);
  await page.setChecked("#live-charts", charts);
  const { chartFrames: framesBefore, drawMs: drawBefore } = await status(page);
  await startTraining(page, { model: "mlp", optimizer: "adamw", "batch-size": "64", epochs: "1", seed: "0" });
  await page.waitForFunction(() => window.playground.status().state === "training");
  const run = await waitForRun(page, 600_000);
  if (run.errors.length > 0 || run.epochs.length !== 1) throw new Error(`the page's run failed: ${run.errors.join("; ") || run.state}`);
  const epoch = run.epochs[0];
  return {
    run,
    row: {
      where: "page (Web Worker)",
      threads,
      charts: charts ? "on" : "off",
      seconds: epoch.wallSeconds,
      samplesPerSecond: 60_000 / epoch.wallSeconds,
      testAccuracy: epoch.testAccuracy,
      chartFps: charts ? (run.chartFrames - framesBefore) / epoch.wallSeconds : null,
      drawMs: charts ? (run.drawMs - drawBefore) / Math.max(1, run.chartFrames - framesBefore) : null,
    },
  };
}

/** The data set as the Node rows train on it, loaded once. */
async function nodeData(): Promise<{ train: Split; test: Split }> {
  await initWasm();
  const split = async (name: "train" | "test"): Promise<Split> => {
    const s = await loadFashionMNIST({ split: name, download: false, progress: false });
    return { images: s.images, labels: s.labels, pixels: new Uint8Array(0), targets: Int32Array.from(s.labels.dataSync()) };
  };
  return { train: await split("train"), test: await split("test") };
}

async function nodeEpoch({ train, test }: { train: Split; test: Split }): Promise<Row> {
  const trainer = new Trainer({ ...DEFAULT_SETTINGS, epochs: 1 }, train, test);
  let started = 0;
  let ended = 0;
  for (const record of trainer.run()) {
    if (record.kind === "step" && record.step === 1) started = performance.now();
    if (record.kind === "step" && record.step === record.stepsPerEpoch) ended = performance.now();
    if (record.kind === "epoch") {
      const seconds = (ended - started) / 1000;
      return { where: "Node " + process.version, threads: getNumThreads(), charts: "–", seconds, samplesPerSecond: 60_000 / seconds, testAccuracy: record.test.accuracy, chartFps: null, drawMs: null };
    }
  }
  throw new Error("the Node run ended without an epoch");
}

async function main(): Promise<void> {
  const startLoad = loadavg().map((l) => l.toFixed(1)).join(" ");
  if (findDataDir(searchDirs()) === null) throw new Error(`no Fashion-MNIST files in ${searchDirs().join(", ")}`);
  /** The epochs of each configuration, in the order they ran. */
  const runs = { charts: [] as Row[], noCharts: [] as Row[], oneThread: [] as Row[], node: [] as Row[] };
  const data = await nodeData();
  await nodeEpoch(data); // warms Node up; not counted
  if (HAS_CHROMIUM) {
    const dir = mkdtempSync(join(tmpdir(), "playground-bench-"));
    const browser = await launch();
    try {
      await build({ root: APP, configFile: join(APP, "vite.config.ts"), logLevel: "silent", build: { outDir: join(dir, "dist"), emptyOutDir: true } });
      const server = await serveStatic(join(dir, "dist"), { isolated: true });
      const { page, problems } = await openPlayground(browser, server.url);
      await page.waitForFunction(() => !(document.getElementById("server-data") as HTMLButtonElement).disabled);
      await page.click("#server-data");
      await page.waitForFunction(() => document.getElementById("data-status")?.textContent?.startsWith("Loaded 60,000"), null, { timeout: 120_000 });
      const all = (await status(page)).engine.maxThreads;
      await pageEpoch(page, all, true); // warms up the page (JIT, memory); not counted
      if (values.export !== undefined) {
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
        await download.saveAs(values.export);
      }
      if (values.screenshot !== undefined) {
        // a picture with a sketch (a copied test image) and a picked test image, each with its probabilities
        await page.click("#to-sketch");
        await page.fill("#image-index", "12");
        await page.locator("#image-index").dispatchEvent("input");
        await page.waitForTimeout(500);
        await page.screenshot({ path: values.screenshot, fullPage: true });
        // NOTE: after a full-page screenshot, headless Chromium left the next click unanswered
        await page.reload();
        await page.waitForFunction(() => document.getElementById("engine")?.textContent?.startsWith("Training in a Web Worker") === true);
        await page.waitForFunction(() => !(document.getElementById("server-data") as HTMLButtonElement).disabled);
        await page.click("#server-data");
        await page.waitForFunction(() => document.getElementById("data-status")?.textContent?.startsWith("Loaded 60,000"), null, { timeout: 120_000 });
      }
      for (let round = 0; round < rounds; round++) {
        // charts on then off, or off then on: whichever epoch comes first in a round tends to be slower
        if (round % 2 === 1) runs.noCharts.push((await pageEpoch(page, all, false)).row);
        runs.charts.push((await pageEpoch(page, all, true)).row);
        if (round % 2 === 0) runs.noCharts.push((await pageEpoch(page, all, false)).row);
        runs.oneThread.push((await pageEpoch(page, 1, true)).row);
        runs.node.push(await nodeEpoch(data)); // the page idles meanwhile: both see the same machine
      }
      if (problems.length > 0) console.warn(`the page logged errors:\n${problems.join("\n")}`);
      await server.close();
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    console.warn(`no Chromium at /usr/bin/chromium: the page's rows are skipped`);
  }
  while (runs.node.length < rounds) runs.node.push(await nodeEpoch(data));
  const rows = [runs.charts, runs.oneThread, runs.noCharts, runs.node].filter((r) => r.length > 0);
  const node = median(runs.node).seconds;
  const lines = [
    "| where | threads | live charts | epoch (s), median (range) | samples/s | test accuracy | chart redraws/s | ms per redraw | time / Node's |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((all) => {
      const r = median(all);
      const range = all.length > 1 ? ` (${Math.min(...all.map((x) => x.seconds)).toFixed(2)}–${Math.max(...all.map((x) => x.seconds)).toFixed(2)})` : "";
      return `| ${r.where} | ${r.threads} | ${r.charts} | ${r.seconds.toFixed(2)}${range} | ${Math.round(r.samplesPerSecond)} | ${(r.testAccuracy * 100).toFixed(2)}% | ${r.chartFps === null ? "–" : r.chartFps.toFixed(1)} | ${r.drawMs === null ? "–" : r.drawMs.toFixed(2)} | ${(r.seconds / node).toFixed(2)}× |`;
    }),
  ];
  console.log(`One MLP epoch on Fashion-MNIST (batch 64, AdamW along a cosine, seed 0), ${rounds} round(s):\n\n${lines.join("\n")}`);
  // a loaded machine makes the times meaningless: say how loaded it was
  console.log(`\n${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}; load average at the start ${startLoad}, at the end ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  // each round's epoch with charts against the one without from the same round
  const costs = runs.noCharts.map((off, i) => (runs.charts[i].seconds - off.seconds) / off.seconds);
  if (costs.length > 0) {
    const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`\nLive charts cost ${percent(medianOf(costs))} of the epoch time (median of the rounds; each round: ${costs.map(percent).join(", ")}).`);
  }
  writeFileSync(join(APP, ".bench-last.md"), lines.join("\n") + "\n");
}

/** The lower middle of some numbers. */
function medianOf(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
}

/** The run with the median epoch time. */
function median(runs: readonly Row[]): Row {
  const seconds = medianOf(runs.map((r) => r.seconds));
  return runs.find((r) => r.seconds === seconds)!;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
