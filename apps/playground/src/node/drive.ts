// Drives the built page in Debian's Chromium through playwright-core, for the tests and the
// benchmark: open it, give it data, train, read its status. Chromium must be installed at
// /usr/bin/chromium (nothing is downloaded).

import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import type { PageStatus } from "../protocol.js";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** True when the browser is there to drive. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/** Starts headless Chromium. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A page of the playground, with every console error and page error it logged. */
export interface OpenPage {
  page: Page;
  problems: string[];
}

/** Opens the playground at `url` and waits (at most `timeoutMs`) until its worker is ready. */
export async function openPlayground(browser: Browser, url: string, timeoutMs = 30_000): Promise<OpenPage> {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1480, height: 1400 } });
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("engine")?.textContent?.startsWith("Training in a Web Worker") === true, null, { timeout: timeoutMs });
  return { page, problems };
}

/** The page's status. */
export function status(page: Page): Promise<PageStatus> {
  return page.evaluate(() => window.playground.status());
}

/**
 * Sets the training form's fields (by element id), presses Start and waits until the worker has
 * taken the run or refused it. Returns how many errors the page had shown before (for `waitForRun`).
 */
export async function startTraining(page: Page, settings: Record<string, string>): Promise<number> {
  for (const [id, value] of Object.entries(settings)) {
    const tag = await page.locator(`#${id}`).evaluate((e) => e.tagName);
    if (tag === "SELECT") await page.selectOption(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
  const errorsBefore = (await status(page)).errors.length;
  await page.click("#start");
  await page.waitForFunction((before) => {
    const s = window.playground.status();
    return s.state !== "idle" || s.errors.length > before;
  }, errorsBefore);
  return errorsBefore;
}

/** Waits until the run is over (done, stopped, or a new error after the first `errorsBefore`) and returns the status. */
export async function waitForRun(page: Page, timeoutMs: number, errorsBefore = 0): Promise<PageStatus> {
  await page.waitForFunction((before) => {
    const s = window.playground.status();
    return s.state === "done" || s.state === "stopped" || s.errors.length > before;
  }, errorsBefore, { timeout: timeoutMs, polling: 200 });
  return status(page);
}
