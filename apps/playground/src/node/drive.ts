// Drives the built page in Debian's Chromium through playwright-core, for the tests and the
// benchmark: open it, give it data, train, read its status. Chromium must be installed at
// /usr/bin/chromium (nothing is downloaded).

import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** True when the browser is there to drive. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/** Starts headless Chromium. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** What `window.playground.status()` returns. */
export interface PageStatus {
  state: string;
  engine: { isolated: boolean; wasm: boolean; relaxedSimd: boolean; threads: number; maxThreads: number };
  hasData: boolean;
  losses: number[];
  epochs: { epoch: number; seconds: number; wallSeconds: number; samplesPerSecond: number; testAccuracy: number; testLoss: number }[];
  samplesPerSecond: number;
  chartFrames: number;
  drawMs: number;
  errors: string[];
}

/** A page of the playground, with every console error and page error it logged. */
export interface OpenPage {
  page: Page;
  problems: string[];
}

/** Opens the playground at `url` and waits until its worker is ready. */
export async function openPlayground(browser: Browser, url: string): Promise<OpenPage> {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1480, height: 1400 } });
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("engine")?.textContent?.startsWith("Training in a Web Worker") === true, null, { timeout: 30_000 });
  return { page, problems };
}

/** The page's status. */
export function status(page: Page): Promise<PageStatus> {
  return page.evaluate(() => (window as unknown as { playground: { status(): PageStatus } }).playground.status());
}

/** Sets the training form's fields (by element id) and presses Start. */
export async function startTraining(page: Page, settings: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(settings)) {
    const tag = await page.locator(`#${id}`).evaluate((e) => e.tagName);
    if (tag === "SELECT") await page.selectOption(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
  await page.click("#start");
}

/** Waits until the run is over (done or stopped) and returns the status. */
export async function waitForRun(page: Page, timeoutMs: number): Promise<PageStatus> {
  await page.waitForFunction(() => {
    const s = (window as unknown as { playground: { status(): { state: string; errors: string[] } } }).playground.status();
    return s.state === "done" || s.state === "stopped" || s.errors.length > 0;
  }, null, { timeout: timeoutMs, polling: 200 });
  return status(page);
}
