// report.html in a real browser (Debian's chromium through playwright-core): every picture
// loads and the page logs no error. Skipped where /usr/bin/chromium is not installed.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";
import { RUN_FILES } from "./report.js";
import { recordingIo, writeSyntheticData } from "./testing/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

describe.skipIf(!existsSync(CHROMIUM))("report.html in headless Chromium", () => {
  let dir = "";
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "fmnist-browser-"));
    mkdirSync(join(dir, "data"));
    writeSyntheticData(join(dir, "data"), 128, 40);
    const code = await main(["train", "--data-dir", join(dir, "data"), "--out", join(dir, "run"), "--epochs", "2"], recordingIo(dir));
    expect(code).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a file of the run folder, recording console errors, page errors and failed loads. */
  async function open(file: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`failed to load ${r.url().slice(0, 80)}`));
    await page.goto(pathToFileURL(join(dir, "run", file)).href, { waitUntil: "load" });
    return { page, problems };
  }

  it("shows all four pictures, each loaded, without errors", async () => {
    const { page, problems } = await open(RUN_FILES.report);
    const images = await page.evaluate(async () => {
      const list = [...document.querySelectorAll("img")];
      await Promise.all(list.map((img) => img.decode().catch(() => undefined)));
      return list.map((img) => ({ alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight }));
    });
    expect(images.map((i) => i.alt)).toEqual(["Gradient flow", "Training curves", "Predictions", "Confusion matrix"]);
    for (const image of images) {
      expect(image.complete).toBe(true);
      expect(image.width).toBeGreaterThan(100);
      expect(image.height).toBeGreaterThan(100);
    }
    expect(await page.locator("h1").textContent()).toContain("Fashion-MNIST");
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);

  it("loads every test image inside the predictions SVG", async () => {
    const { page, problems } = await open(RUN_FILES.predictionsSvg);
    const sizes = await page.evaluate(async () => {
      const hrefs = [...document.querySelectorAll("image")].map((e) => e.getAttribute("href") ?? e.getAttribute("xlink:href") ?? "");
      return Promise.all(
        hrefs.map(async (href) => {
          const img = new Image();
          img.src = href;
          await img.decode();
          return [img.naturalWidth, img.naturalHeight];
        }),
      );
    });
    expect(sizes).toHaveLength(32);
    for (const size of sizes) expect(size).toEqual([84, 84]);
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);
});
