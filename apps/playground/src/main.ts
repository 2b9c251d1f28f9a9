// The page: it hands the data files and the user's settings to the training worker, follows its
// reports, and draws. Everything slow happens in the worker, so the page keeps repainting.

import { drawDigit } from "./charts.js";
import { FILE_NAMES, FILE_ROLES, roleOf, type FileRole } from "./data.js";
import { CLASSES } from "./models.js";
import type { IdxFile, Report, Request, TrainState } from "./protocol.js";
import { SketchPad } from "./sketch.js";
import { DEFAULT_LR, DEFAULT_WEIGHT_DECAY, type OptimizerName, type Settings } from "./trainer.js";
import { percent, RunView } from "./view.js";

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}
const input = (id: string) => element<HTMLInputElement>(id);
const button = (id: string) => element<HTMLButtonElement>(id);

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const send = (request: Request, transfer: Transferable[] = []) => worker.postMessage(request, transfer);
const view = new RunView(element);

let state: TrainState = "idle";
let hasData = false;
let hasModel = false;
let testPixels: Uint8Array = new Uint8Array(0);
let testTargets: Int32Array = new Int32Array(0);
let engine = { isolated: false, wasm: false, relaxedSimd: false, threads: 1, maxThreads: 1 };
const logitsWaiting = new Map<number, (logits: number[][]) => void>();
let nextLogitsId = 0;
/** Errors the worker reported, newest last (for scripts that drive the page). */
const errors: string[] = [];

// ---- the worker's reports

worker.onmessage = (event: MessageEvent<Report>) => {
  const report = event.data;
  switch (report.type) {
    case "ready":
      engine = report;
      showEngine();
      break;
    case "threads":
      engine.threads = report.threads;
      showEngine();
      break;
    case "data":
      testPixels = report.testPixels;
      testTargets = report.testTargets;
      hasData = true;
      element("data-status").textContent = `Loaded ${report.trainCount.toLocaleString("en")} training and ${report.testCount.toLocaleString("en")} test images.`;
      input("image-index").max = String(report.testCount - 1);
      showPicked();
      break;
    case "state":
      if (report.state === "training" && state === "idle") view.reset(report.layers, 0, readSettings().epochs);
      state = report.state;
      hasModel = report.architecture !== null;
      element("train-status").textContent = describeState(report.state);
      break;
    case "steps":
      if (view.totalSteps === 0) view.totalSteps = report.batch.stepsPerEpoch * readSettings().epochs;
      view.addSteps(report.batch);
      break;
    case "epoch":
      view.addEpoch(report.record, report.wallSeconds, testPixels, testTargets);
      element("results-status").textContent = `Epoch ${report.record.epoch}: ${percent(report.record.test.accuracy)} of the test images right, test loss ${report.record.test.loss.toFixed(4)}; the epoch's steps took ${report.wallSeconds.toFixed(1)} s.`;
      break;
    case "probabilities":
      if (report.sketch !== null) showProbabilities("sketch-probs", report.sketch);
      if (report.test !== null) showProbabilities("test-probs", report.test);
      break;
    case "exported":
      download(report.bytes, report.fileName);
      element("model-status").textContent = `Exported ${report.fileName} (${report.bytes.length.toLocaleString("en")} bytes).`;
      break;
    case "loaded":
      hasModel = true;
      element("model-status").textContent = `Loaded ${report.name}: the ${report.architecture} model` +
        (report.test === null ? "." : `, ${percent(report.test.accuracy)} right on the test images.`);
      if (report.test !== null) view.showTest(report.test.confusion, report.test.predictions, report.test.accuracy, testPixels, testTargets);
      break;
    case "logits":
      logitsWaiting.get(report.id)?.(report.logits.map((row) => Array.from(row)));
      logitsWaiting.delete(report.id);
      break;
    case "error":
      errors.push(report.message);
      element("train-status").textContent = `Error: ${report.message}`;
      break;
  }
  updateButtons();
};

function describeState(s: TrainState): string {
  return { idle: "Ready.", training: "Training…", paused: "Paused.", stopped: "Stopped.", done: "Done." }[s];
}

function showEngine(): void {
  const select = element<HTMLSelectElement>("threads");
  select.replaceChildren(...Array.from({ length: engine.maxThreads }, (_, i) => new Option(String(i + 1), String(i + 1))));
  select.value = String(engine.threads);
  select.disabled = !engine.isolated || !engine.wasm;
  const target = element("engine");
  const kernels = engine.wasm ? `WebAssembly SIMD kernels${engine.relaxedSimd ? " (relaxed SIMD: fused multiply-add)" : ""}` : "TypeScript kernels (this browser has no WebAssembly SIMD)";
  if (engine.isolated) {
    target.textContent = `Training in a Web Worker on ${kernels}, ${engine.threads} thread${engine.threads === 1 ? "" : "s"}.`;
    target.classList.remove("warn");
  } else {
    target.textContent = `Training in a Web Worker on ${kernels}, 1 thread: this page is not cross-origin isolated, so the kernels cannot share memory with more threads (the server must send the COOP and COEP headers).`;
    target.classList.add("warn");
  }
}

function updateButtons(): void {
  const running = state === "training" || state === "paused";
  button("start").disabled = !hasData || running;
  button("pause").disabled = state !== "training";
  button("resume").disabled = state !== "paused";
  button("stop").disabled = !running;
  button("export").disabled = !hasModel || running;
  input("checkpoint").disabled = running;
}

// ---- data

async function sendFiles(files: Partial<Record<FileRole, IdxFile>>): Promise<void> {
  const missing = FILE_ROLES.filter((role) => files[role] === undefined);
  if (missing.length > 0) {
    element("data-status").textContent = `Still missing: ${missing.map((r) => FILE_NAMES[r]).join(", ")} (plain or .gz).`;
    return;
  }
  const complete = files as Record<FileRole, IdxFile>;
  element("data-status").textContent = "Reading the files…";
  send({ type: "data", files: complete }, FILE_ROLES.map((role) => complete[role].bytes));
}

let chosen: Partial<Record<FileRole, IdxFile>> = {};
async function takeFiles(list: FileList | File[]): Promise<void> {
  const ignored: string[] = [];
  for (const file of Array.from(list)) {
    const role = roleOf(file.name);
    if (role === null) ignored.push(file.name);
    else chosen[role] = { name: file.name, bytes: await file.arrayBuffer() };
  }
  await sendFiles(chosen);
  if (ignored.length > 0) element("data-status").textContent += ` Not a Fashion-MNIST file name: ${ignored.join(", ")}.`;
  if (FILE_ROLES.every((role) => chosen[role] !== undefined)) chosen = {};
}

input("files").addEventListener("change", () => void takeFiles(input("files").files ?? []));
const drop = element("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  void takeFiles(e.dataTransfer?.files ?? []);
});

/** The dev server (and the tests' server) offer the files of loadFashionMNIST's folders here. */
const SERVER_DATA = "datasets/fashion-mnist/";

async function checkServerData(): Promise<void> {
  try {
    const response = await fetch(`${SERVER_DATA}index.json`);
    const index: unknown = response.ok ? await response.json() : null;
    if (typeof index === "object" && index !== null && "dir" in index && typeof index.dir === "string") {
      button("server-data").disabled = false;
      element("server-note").textContent = `(found in ${index.dir})`;
      return;
    }
  } catch {
    // a static host without the data set answers 404 or HTML; the file picker remains
  }
  element("server-note").textContent = "(this server offers no copy: choose the files)";
}

button("server-data").addEventListener("click", async () => {
  element("data-status").textContent = "Fetching the files from the server…";
  try {
    const entries = await Promise.all(FILE_ROLES.map(async (role) => {
      const response = await fetch(SERVER_DATA + FILE_NAMES[role]);
      if (!response.ok) throw new Error(`${FILE_NAMES[role]}: HTTP ${response.status}`);
      return [role, { name: FILE_NAMES[role], bytes: await response.arrayBuffer() }] as const;
    }));
    await sendFiles(Object.fromEntries(entries));
  } catch (err) {
    element("data-status").textContent = `Could not fetch the data: ${err instanceof Error ? err.message : String(err)}`;
  }
});

// ---- training

function readSettings(): Settings {
  const number = (id: string) => Number(input(id).value);
  return {
    model: element<HTMLSelectElement>("model").value === "cnn" ? "cnn" : "mlp",
    optimizer: element<HTMLSelectElement>("optimizer").value === "sgd" ? "sgd" : "adamw",
    lr: number("lr"),
    weightDecay: number("weight-decay"),
    batchSize: number("batch-size"),
    epochs: number("epochs"),
    seed: number("seed"),
  };
}

element<HTMLSelectElement>("optimizer").addEventListener("change", (e) => {
  const optimizer = (e.target as HTMLSelectElement).value as OptimizerName;
  input("lr").value = String(DEFAULT_LR[optimizer]);
  input("weight-decay").value = String(DEFAULT_WEIGHT_DECAY[optimizer]);
});
element<HTMLSelectElement>("threads").addEventListener("change", (e) => send({ type: "threads", count: Number((e.target as HTMLSelectElement).value) }));

button("start").addEventListener("click", () => {
  const form = element<HTMLFormElement>("settings");
  if (!form.reportValidity()) return;
  state = "idle";
  send({ type: "start", settings: readSettings() });
});
button("pause").addEventListener("click", () => send({ type: "pause" }));
button("resume").addEventListener("click", () => send({ type: "resume" }));
button("stop").addEventListener("click", () => send({ type: "stop" }));

// ---- trying the model

const sketch = new SketchPad(element<HTMLCanvasElement>("sketch"), () => watch());
button("clear-sketch").addEventListener("click", () => sketch.clear());

function pickedIndex(): number {
  const value = Math.trunc(Number(input("image-index").value));
  return Math.min(Math.max(0, Number.isFinite(value) ? value : 0), Math.max(0, testTargets.length - 1));
}

function showPicked(): void {
  if (testTargets.length === 0) return;
  const index = pickedIndex();
  const canvas = element<HTMLCanvasElement>("picked");
  const ctx = canvas.getContext("2d");
  if (ctx !== null) drawDigit(ctx, testPixels, index * 784, 0, 0, canvas.width);
  canvas.setAttribute("aria-label", `Test image ${index}: ${CLASSES[testTargets[index]]}`);
  element("picked-label").textContent = `Test image ${index} is a ${CLASSES[testTargets[index]]}.`;
  watch();
}

let watchQueued = false;
/** Tells the worker which images to give probabilities for (at most once per frame). */
function watch(): void {
  if (watchQueued) return;
  watchQueued = true;
  requestAnimationFrame(() => {
    watchQueued = false;
    send({ type: "watch", sketch: sketch.empty ? null : Float32Array.from(sketch.pixels), testIndex: testTargets.length === 0 ? null : pickedIndex() });
  });
}

input("image-index").addEventListener("input", showPicked);
button("prev-image").addEventListener("click", () => {
  input("image-index").value = String(Math.max(0, pickedIndex() - 1));
  showPicked();
});
button("next-image").addEventListener("click", () => {
  input("image-index").value = String(Math.min(testTargets.length - 1, pickedIndex() + 1));
  showPicked();
});
button("to-sketch").addEventListener("click", () => {
  if (testTargets.length === 0) return;
  const at = pickedIndex() * 784;
  sketch.set(Array.from(testPixels.subarray(at, at + 784), (v) => v / 255));
});

function showProbabilities(id: string, probabilities: number[]): void {
  const best = probabilities.indexOf(Math.max(...probabilities));
  element(id).replaceChildren(...probabilities.map((p, k) => {
    const item = document.createElement("li");
    if (k === best) item.className = "top";
    const name = document.createElement("span");
    name.textContent = CLASSES[k];
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${(p * 100).toFixed(1)}%`;
    bar.setAttribute("aria-hidden", "true");
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = percent(p).replace(/(\.\d)\d%$/, "$1%");
    value.dataset.probability = String(p);
    item.append(name, bar, value);
    return item;
  }));
}

// ---- the model file

button("export").addEventListener("click", () => send({ type: "export" }));
input("checkpoint").addEventListener("change", async () => {
  const file = input("checkpoint").files?.[0];
  if (file === undefined) return;
  const bytes = await file.arrayBuffer();
  send({ type: "load", name: file.name, bytes }, [bytes]);
  input("checkpoint").value = "";
});

function download(bytes: Uint8Array, fileName: string): void {
  const url = URL.createObjectURL(new Blob([Uint8Array.from(bytes)], { type: "application/octet-stream" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---- drawing loop

/**
 * The line charts redraw at most this often (ms) while training: about 12 frames per second
 * moves smoothly, and each frame drawn takes time from the kernels' threads on a small machine.
 */
const REDRAW_MS = 80;
let drawn = 0;
function frame(time: number): void {
  const live = input("live-charts").checked;
  if (state !== "training" || (live && time - drawn >= REDRAW_MS)) {
    view.draw();
    drawn = time;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// ---- for scripts that drive the page (the tests and the benchmark)

/** What `window.playground` offers to scripts that drive the page. */
export interface PlaygroundHandle {
  /** The run so far: state, losses per step, per-epoch results, chart redraws, worker errors. */
  status(): object;
  /** The current model's logits for images of 784 values in [0,1] each. */
  logits(pixels: number[]): Promise<number[][]>;
}
const handle: PlaygroundHandle = {
  status: () => ({
    state,
    engine,
    hasData,
    losses: view.losses,
    epochs: view.epochs.map((e) => ({ epoch: e.record.epoch, seconds: e.record.seconds, wallSeconds: e.wallSeconds, samplesPerSecond: e.record.samplesPerSecond, testAccuracy: e.record.test.accuracy, testLoss: e.record.test.loss })),
    samplesPerSecond: view.samplesPerSecond,
    chartFrames: view.chartFrames,
    drawMs: view.drawMs,
    errors,
  }),
  logits: (pixels) => new Promise((resolve) => {
    const id = nextLogitsId++;
    logitsWaiting.set(id, resolve);
    send({ type: "logits", id, pixels: Float32Array.from(pixels) });
  }),
};
Object.assign(window, { playground: handle });

send({ type: "init", threads: navigator.hardwareConcurrency || 1 });
void checkServerData();
updateButtons();
