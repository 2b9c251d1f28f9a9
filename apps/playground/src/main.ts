// The page: it hands the data files and the user's settings to the training worker, follows its
// reports, and draws. Everything slow happens in the worker, so the page keeps repainting.

import { drawDigit } from "./charts.js";
import { FILE_NAMES, FILE_ROLES, roleOf, type FileRole } from "./data.js";
import { CLASSES } from "./models.js";
import type { IdxFile, PlaygroundHandle, Report, Request, TrainState } from "./protocol.js";
import { SketchPad } from "./sketch.js";
import { DEFAULT_LR, DEFAULT_WEIGHT_DECAY, type OptimizerName, type Settings } from "./trainer.js";
import { percent, RunView, showProbabilities } from "./view.js";

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
const logitsWaiting = new Map<number, { resolve(logits: number[][]): void; reject(err: Error): void }>();
let nextLogitsId = 0;
/** Every error the page showed, oldest first (for scripts that drive the page). */
const errors: string[] = [];

/** The status line where the outcome of each kind of request shows. */
const STATUS_OF: Record<Request["type"], string> = {
  init: "engine", threads: "engine", data: "data-status", start: "train-status", pause: "train-status", resume: "train-status",
  stop: "train-status", watch: "try-status", export: "model-status", load: "model-status", logits: "train-status",
};

/** Shows an error in the status line `id` (marked as an error, read out at once) and records it. */
function showError(id: string, message: string): void {
  errors.push(message);
  const target = element(id);
  target.textContent = `Error: ${message}`;
  target.classList.add("error");
}
/** Shows a normal status message in `id`. */
function showStatus(id: string, message: string): void {
  const target = element(id);
  target.textContent = message;
  target.classList.remove("error");
}
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

worker.onerror = (event) => {
  event.preventDefault();
  showError("engine", `the training worker failed: ${event.message || "it could not be loaded"}. Reload the page; if it fails again, this browser cannot run it.`);
  state = "stopped";
  updateButtons();
};
worker.onmessageerror = () => showError("train-status", "a message from the training worker could not be read");
window.addEventListener("error", (event) => showError("page-error", event.message));
window.addEventListener("unhandledrejection", (event) => showError("page-error", messageOf(event.reason)));

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
      showStatus("data-status", `Loaded ${report.trainCount.toLocaleString("en")} training and ${report.testCount.toLocaleString("en")} test images.`);
      input("image-index").max = String(report.testCount - 1);
      showPicked();
      break;
    case "state":
      if (report.state === "training" && state === "idle") view.reset(report.layers, 0, readSettings().epochs);
      state = report.state;
      hasModel = report.architecture !== null;
      showStatus("train-status", describeState(report.state));
      break;
    case "steps":
      if (view.totalSteps === 0) view.totalSteps = report.batch.stepsPerEpoch * readSettings().epochs;
      view.addSteps(report.batch);
      break;
    case "epoch":
      view.addEpoch(report.record, report.wallSeconds, testPixels, testTargets);
      showStatus("results-status", `Epoch ${report.record.epoch}: ${percent(report.record.test.accuracy)} of the test images right, test loss ${report.record.test.loss.toFixed(4)}; the epoch's steps took ${report.wallSeconds.toFixed(1)} s.`);
      break;
    case "probabilities":
      if (report.sketch !== null) showProbabilities(element("sketch-probs"), report.sketch);
      if (report.test !== null) showProbabilities(element("test-probs"), report.test);
      break;
    case "exported":
      download(report.bytes, report.fileName);
      showStatus("model-status", `Exported ${report.fileName} (${report.bytes.length.toLocaleString("en")} bytes).`);
      break;
    case "loaded":
      hasModel = true;
      showStatus("model-status", `Loaded ${report.name}: the ${report.architecture} model` +
        (report.test === null ? "." : `, ${percent(report.test.accuracy)} right on the test images.`));
      if (report.test !== null) view.showTest(report.test.confusion, report.test.predictions, report.test.accuracy, testPixels, testTargets);
      break;
    case "logits":
      logitsWaiting.get(report.id)?.resolve(report.logits.map((row) => Array.from(row)));
      logitsWaiting.delete(report.id);
      break;
    case "error":
      showError(STATUS_OF[report.request], report.message);
      if (report.request === "logits") {
        for (const waiting of logitsWaiting.values()) waiting.reject(new Error(report.message));
        logitsWaiting.clear();
      }
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

function sendFiles(files: Partial<Record<FileRole, IdxFile>>): void {
  const missing = FILE_ROLES.filter((role) => files[role] === undefined);
  if (missing.length > 0) {
    showStatus("data-status", `Still missing: ${missing.map((r) => FILE_NAMES[r]).join(", ")} (plain or .gz).`);
    return;
  }
  const complete = files as Record<FileRole, IdxFile>;
  showStatus("data-status", "Reading the files…");
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
  sendFiles(chosen);
  if (ignored.length > 0) element("data-status").textContent += ` Not a Fashion-MNIST file name: ${ignored.join(", ")}.`;
  if (FILE_ROLES.every((role) => chosen[role] !== undefined)) chosen = {};
}

/** Takes files from the picker or a drop, showing any failure to read them. */
function takeFilesShowingErrors(list: FileList | File[]): void {
  takeFiles(list).catch((err: unknown) => {
    chosen = {};
    showError("data-status", `could not read the files: ${messageOf(err)}`);
  });
}

input("files").addEventListener("change", () => takeFilesShowingErrors(input("files").files ?? []));
const drop = element("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  takeFilesShowingErrors(e.dataTransfer?.files ?? []);
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
  showStatus("data-status", "Fetching the files from the server…");
  try {
    const entries = await Promise.all(FILE_ROLES.map(async (role) => {
      const response = await fetch(SERVER_DATA + FILE_NAMES[role]);
      if (!response.ok) throw new Error(`${FILE_NAMES[role]}: HTTP ${response.status}`);
      return [role, { name: FILE_NAMES[role], bytes: await response.arrayBuffer() }] as const;
    }));
    sendFiles(Object.fromEntries(entries));
  } catch (err) {
    showError("data-status", `could not fetch the data: ${messageOf(err)}`);
  }
});

// ---- training

function readSettings(): Settings {
  const number = (id: string) => Number(input(id).value);
  return {
    model: element<HTMLSelectElement>("model").value === "cnn" ? "cnn" : "mlp",
    optimizer: element<HTMLSelectElement>("optimizer").value === "sgd" ? "sgd" : "adamw",
    lr: number("lr"),
    schedule: element<HTMLSelectElement>("schedule").value === "constant" ? "constant" : "cosine",
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

// ---- the model file

button("export").addEventListener("click", () => send({ type: "export" }));
input("checkpoint").addEventListener("change", () => {
  const file = input("checkpoint").files?.[0];
  input("checkpoint").value = "";
  if (file === undefined) return;
  showStatus("model-status", `Reading ${file.name}…`);
  file.arrayBuffer().then(
    (bytes) => send({ type: "load", name: file.name, bytes }, [bytes]),
    (err: unknown) => showError("model-status", `could not read ${file.name}: ${messageOf(err)}`),
  );
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
let animationFrames = 0;
function frame(time: number): void {
  animationFrames++;
  const live = input("live-charts").checked;
  if (state !== "training" || (live && time - drawn >= REDRAW_MS)) {
    view.draw();
    drawn = time;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// ---- for scripts that drive the page (the tests and the benchmark)

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
    animationFrames,
    errors: [...errors],
  }),
  logits: (pixels) => new Promise((resolve, reject) => {
    const id = nextLogitsId++;
    logitsWaiting.set(id, { resolve, reject });
    send({ type: "logits", id, pixels: Float32Array.from(pixels) });
  }),
};
window.playground = handle;

send({ type: "init", threads: navigator.hardwareConcurrency || 1 });
void checkServerData();
updateButtons();
