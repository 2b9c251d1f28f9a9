// Builds the site as `pnpm docs:build` does, then checks the result: every internal link (and its
// #anchor) resolves, and in headless Chromium every page loads without a console error and the
// search finds crossEntropyLoss. Chromium checks are skipped where /usr/bin/chromium is missing.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS_DIR, SITE_DIR } from "./paths.js";
import { brokenLinks } from "./links.js";
import { serve } from "./serve.js";

const run = promisify(execFile);
const DIST = join(SITE_DIR, ".vitepress", "dist");
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return htmlFiles(path);
    return entry.name.endsWith(".html") && entry.name !== "404.html" ? [path] : [];
  });
}

/** The page's URL path for a built file: `guide/install.html` → `/guide/install.html`. */
const routeOf = (file: string): string => `/${relative(DIST, file).replace(/\\/g, "/")}`;

let pages: string[] = [];

beforeAll(async () => {
  const bin = (name: string): string => join(DOCS_DIR, "node_modules", ".bin", name);
  await run(bin("tsx"), ["--conditions=@tg/source", "scripts/prepare.ts"], { cwd: DOCS_DIR, maxBuffer: 64 << 20 });
  await run(bin("vitepress"), ["build", "site"], { cwd: DOCS_DIR, maxBuffer: 64 << 20 });
  pages = htmlFiles(DIST).map(routeOf).sort();
});

describe("the built site", () => {
  it("has the guide, the lessons, the table, source pages and an API page per export", () => {
    for (const page of ["/index.html", "/guide/install.html", "/guide/faq.html", "/learn/backprop.html", "/learn/fashion-mnist.html", "/reference/pytorch.html", "/api/@tg/loss/functions/crossEntropyLoss.html", "/source/packages/tensor/src/autograd/engine.html"]) {
      expect(pages).toContain(page);
    }
    expect(pages.filter((p) => p.startsWith("/api/")).length).toBeGreaterThan(100);
  });

  it("shows the graphs, rendered to SVG at build time", () => {
    const html = readFileSync(join(DIST, "learn", "computation-graph.html"), "utf8");
    expect(html).toMatch(/<figure class="tg-graph"[^>]*><svg/);
    expect(html).toContain("matmul");
  });

  it("resolves every internal link and anchor", () => {
    expect(brokenLinks(DIST, pages)).toEqual([]);
  });
});

describe.skipIf(!existsSync(CHROMIUM))("the built site in Chromium", () => {
  let browser: Browser;
  let server: Server;
  let base = "";

  beforeAll(async () => {
    ({ server, url: base } = await serve(DIST));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it("loads every page without a console error or a failed request", async () => {
    const problems: string[] = [];
    const queue = [...pages];
    const worker = async (): Promise<void> => {
      const page = await browser.newPage();
      let current = "";
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`${current}: console error: ${message.text()} (${message.location().url})`);
      });
      page.on("pageerror", (error) => problems.push(`${current}: ${error.message}`));
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`${current}: ${response.status()} ${response.url()}`);
      });
      for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
        current = path;
        await page.goto(base + path, { waitUntil: "load" });
        await page.waitForFunction(() => document.querySelector("#app")?.hasChildNodes() === true);
      }
      await page.close();
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(problems).toEqual([]);
  });

  it("finds crossEntropyLoss with the search box", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/index.html`, { waitUntil: "load" });
    await page.click(".DocSearch-Button");
    await page.fill("#localsearch-input", "crossEntropyLoss");
    const first = page.locator("#localsearch-list .result").first();
    await first.waitFor({ timeout: 30_000 });
    const titles = await page.locator("#localsearch-list .result").allTextContents();
    expect(titles.some((t) => t.includes("crossEntropyLoss"))).toBe(true);
    await first.click();
    await page.waitForURL(/crossEntropyLoss|cross-entropy|pytorch|numerical-stability|api-design/);
    await page.close();
  });
});
