// The browser part of the consumer test: the fixture's browser entry bundled by esbuild from the
// installed packages, run in Chromium (through playwright-core) from a server on 127.0.0.1, on an
// ordinary page and on a cross-origin isolated one (COOP/COEP headers), where Web Workers run.
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/**
 * The two browser checks, as [name, fn] pairs for the consumer test's `check`.
 * @param {{ consumer: string, esbuild: typeof import("esbuild"), playwright: typeof import("playwright-core") }} tools
 */
export function browserChecks({ consumer, esbuild, playwright }) {
  const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
  const losses = {};

  const run = (isolated) => async () => {
    if (!existsSync(chromium)) return `skip: no Chromium at ${chromium}`;
    const bundle = await esbuild.build({
      entryPoints: [join(consumer, "browser-main.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "error",
    });
    const code = bundle.outputFiles[0].text;
    const server = createServer((request, response) => {
      const headers = { "Content-Type": request.url.endsWith(".js") ? "text/javascript" : "text/html" };
      if (request.url.startsWith("/isolated/")) {
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      }
      response.writeHead(200, headers);
      response.end(request.url.endsWith("/bundle.js") ? code : '<!doctype html><title>tg</title><script type="module" src="bundle.js"></script>');
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const browser = await playwright.chromium.launch({ executablePath: chromium, args: ARGS });
    let result;
    const problems = [];
    try {
      const page = await browser.newPage();
      page.on("console", (message) => void (message.type() === "error" && problems.push(`console: ${message.text()}`)));
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      await page.goto(`http://127.0.0.1:${server.address().port}/${isolated ? "isolated/" : ""}`);
      await page.waitForFunction(() => "__result" in globalThis, null, { timeout: 120_000 });
      result = await page.evaluate(() => globalThis.__result);
    } finally {
      await browser.close();
      server.close();
    }
    const summary = JSON.stringify(result);
    if (problems.length > 0 || result.error) throw new Error(`${problems.join("\n")}\n${result.error ?? ""}`);
    if (result.isolated !== isolated) throw new Error(`crossOriginIsolated is ${result.isolated}`);
    if (result.init !== true || result.info?.available !== true) throw new Error(`the WebAssembly kernels did not load: ${summary}`);
    if (result.info.threads !== isolated) throw new Error(`threads should be ${isolated}: ${summary}`);
    const epochLosses = result.epochLosses;
    if (!(epochLosses.length === 8 && epochLosses.every(Number.isFinite) && epochLosses.at(-1) < 0.2 * epochLosses[0] && result.accuracy >= 0.9)) {
      throw new Error(`did not learn: ${summary}`);
    }
    losses[isolated ? "isolated" : "ordinary"] = JSON.stringify(epochLosses);
    if (isolated && losses.ordinary && losses.ordinary !== losses.isolated) {
      throw new Error(`Web Workers trained to other bits than one thread: ${losses.isolated} vs ${losses.ordinary}`);
    }
  };

  return [
    ["esbuild browser bundle trains in Chromium on an ordinary page (one thread)", run(false)],
    ["esbuild browser bundle trains in Chromium on a cross-origin isolated page (Web Workers), bit for bit as on one thread", run(true)],
  ];
}
