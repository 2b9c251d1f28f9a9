// @tg/tensor in a browser bundle: esbuild bundles the package for the browser and Debian's
// chromium (through playwright-core) runs it. The WebAssembly kernels must load there and agree
// with the TypeScript reference path: without worker threads on an ordinary page, and with Web
// Workers on a cross-origin isolated one. Skipped where /usr/bin/chromium is not installed.

import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

// Runs in the page: the same computations on both backends, and a few training steps.
const ENTRY = `
import { fusedAdamF32, getBackend, initWasm, maxPool2d, conv2d, Rng, setBackend, tensor, wasmInfo, randn } from "./index.ts";

const rng = new Rng(1);
const x = randn([4, 3, 9, 9], { rng });
const w = randn([5, 3, 3, 3], { rng });
const b = randn([5], { rng });
const a = randn([33, 70], { rng });
const m = randn([21, 70], { rng }); // used transposed, as a backward pass does

function run(backend) {
  setBackend(backend);
  const xs = x.detach(); xs.requiresGrad = true;
  const ws = w.detach(); ws.requiresGrad = true;
  const y = maxPool2d(conv2d(xs, ws, b, { padding: 1 }).relu(), 2);
  y.sum().backward();
  return { product: Array.from(a.matmul(m.transpose(0, 1)).dataSync()), y: Array.from(y.dataSync()),
    gx: Array.from(xs.grad.dataSync()), gw: Array.from(ws.grad.dataSync()) };
}

const result = { initialBackend: getBackend(), init: await initWasm(), info: wasmInfo() };
result.js = run("js");
result.wasm = run("wasm");
const p = new Float32Array([1, 2, 3, 4, 5]);
result.fused = fusedAdamF32(p, new Float32Array(5).fill(0.5), new Float32Array(5), new Float32Array(5),
  { decay: 1, oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001, stepSize: 0.1 / 0.1, bc2Sqrt: Math.sqrt(0.001), eps: 1e-8 });
result.stepped = Array.from(p);
// a least-squares fit by gradient descent: the loss must fall
const wt = tensor([[0.5], [-0.5]], { requiresGrad: true });
const data = randn([64, 2], { rng });
const target = data.matmul(tensor([[2], [-3]]));
result.losses = [];
for (let i = 0; i < 20; i++) {
  wt.grad = null;
  const loss = data.matmul(wt).sub(target).pow(2).mean();
  loss.backward();
  wt.storage.data.set(wt.sub(wt.grad.mul(0.1)).dataSync());
  result.losses.push(loss.item());
}
globalThis.__result = result;
`;

// Runs in a cross-origin isolated page: products and a convolution on two threads (Web Workers),
// compared bit for bit with one thread.
const THREADED_ENTRY = `
import { conv2d, initWasm, randn, Rng, setNumThreads, wasmInfo } from "./index.ts";
import { threadPool } from "./kernels/wasm/gemm.ts";
import { getRuntime } from "./kernels/wasm/runtime.ts";

const bits = (t) => Array.from(new Int32Array(Float32Array.from(t.dataSync()).buffer));
const result = { isolated: globalThis.crossOriginIsolated === true };
setNumThreads(2);
result.init = await initWasm(10_000);
result.info = wasmInfo();
const pool = threadPool(getRuntime(), 2);
result.started = pool?.started === true;
const rng = new Rng(3);
const a = randn([150, 200], { rng });
const b = randn([170, 200], { rng }).transpose(0, 1);
const x = randn([8, 3, 20, 20], { rng });
const w = randn([16, 3, 3, 3], { rng });
function run(threads) {
  setNumThreads(threads);
  const xs = x.detach(); xs.requiresGrad = true;
  const y = conv2d(xs, w, null, { padding: 1 });
  y.sum().backward();
  return { product: bits(a.matmul(b)), conv: bits(y), grad: bits(xs.grad) };
}
const one = run(1);
const before = pool?.tilesPerThread()[1] ?? 0;
// on a busy machine a worker may wake too late for a call's units: give it up to 20 calls
const two = [];
while (two.length < 20 && (two.length < 3 || (pool?.tilesPerThread()[1] ?? 0) === before)) two.push(run(2));
result.workerUnits = (pool?.tilesPerThread()[1] ?? 0) - before;
result.same = two.every((r) => JSON.stringify(r) === JSON.stringify(one));
result.sizes = [one.product.length, one.conv.length, one.grad.length];
globalThis.__result = result;
`;

/** Bundles `entry` (an ES module importing from this folder) for the browser. */
async function bundle(entry: string): Promise<string> {
  const bundled = await build({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL(".", import.meta.url)), loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return bundled.outputFiles[0].text;
}

describe.skipIf(!existsSync(CHROMIUM))("@tg/tensor in a browser bundle (headless Chromium)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("runs the WebAssembly kernels without threads, agreeing with the TypeScript path, and trains", async () => {
    const code = await bundle(ENTRY);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.setContent("<!doctype html><title>tg</title>");
    await page.addScriptTag({ type: "module", content: code });
    await page.waitForFunction(() => "__result" in globalThis, null, { timeout: 30_000 });
    const result = await page.evaluate(() => Reflect.get(globalThis, "__result") as Record<string, unknown>);
    await page.close();
    expect(problems).toEqual([]);
    expect(result.init).toBe(true);
    expect(result.info).toMatchObject({ available: true, threads: false });
    const js = result.js as Record<string, number[]>;
    const wasm = result.wasm as Record<string, number[]>;
    expect([js.product.length, js.y.length, js.gx.length, js.gw.length]).toEqual([33 * 21, 4 * 5 * 4 * 4, 4 * 3 * 9 * 9, 5 * 3 * 3 * 3]);
    for (const key of ["product", "y", "gx", "gw"]) {
      expect(wasm[key]).toHaveLength(js[key].length);
      const scale = Math.max(1, ...js[key].map(Math.abs));
      const worst = Math.max(...js[key].map((v, i) => Math.abs(v - wasm[key][i])));
      expect(worst / scale, key).toBeLessThan(1e-4);
    }
    // the first step of Adam moves each parameter by lr·sign(g) = 0.1
    expect(result.fused).toBe(true);
    (result.stepped as number[]).forEach((v, i) => expect(v).toBeCloseTo(i + 1 - 0.1, 5));
    const losses = result.losses as number[];
    expect(losses[losses.length - 1]).toBeLessThan(0.01 * losses[0]);
  }, 60_000);

  it("runs products and convolutions on Web Workers on a cross-origin isolated page, bit for bit as on one thread", async () => {
    const code = await bundle(THREADED_ENTRY);
    // a local server that sends the two headers that make a page cross-origin isolated
    const server: Server = createServer((request, response) => {
      const isBundle = request.url === "/bundle.js";
      response.writeHead(200, {
        "Content-Type": isBundle ? "text/javascript" : "text/html",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
      });
      response.end(isBundle ? code : '<!doctype html><title>tg</title><script type="module" src="/bundle.js"></script>');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => "__result" in globalThis, null, { timeout: 30_000 });
      const result = await page.evaluate(() => Reflect.get(globalThis, "__result") as Record<string, unknown>);
      await page.close();
      expect(problems).toEqual([]);
      expect(result).toMatchObject({ isolated: true, init: true, info: { available: true, threads: true }, started: true, same: true });
      expect(result.sizes).toEqual([150 * 170, 8 * 16 * 20 * 20, 8 * 3 * 20 * 20]);
      expect(result.workerUnits as number).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  }, 60_000);
});
