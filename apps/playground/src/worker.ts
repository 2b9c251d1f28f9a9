// The training worker: it holds the data and the model, trains in steps and yields to its own
// event loop every few milliseconds, so pause, stop and prediction requests get through while it
// trains and the page itself never waits. On a cross-origin isolated page the kernels' own thread
// pool starts here, as Web Workers nested in this one.

import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors, type Sequential } from "@tg/nn";
import { getNumThreads, initWasm, Rng, setNumThreads, wasmInfo, type Tensor } from "@tg/tensor";
import { FILE_ROLES, parseSplit, type Split } from "./data.js";
import { buildModel, watchedLayers, type Architecture } from "./models.js";
import type { Report, Request, StepBatch, TrainState } from "./protocol.js";
import { evaluate, logitsOf, softmax, Trainer, type StepRecord } from "./trainer.js";

/** How often (ms) the worker reports progress while training. */
const REPORT_MS = 50;
/** How often (ms) it recomputes the watched images' probabilities while training. */
const PROBABILITIES_MS = 250;
/** The longest (ms) it computes without yielding to its event loop. */
const YIELD_MS = 15;

interface WorkerScope {
  postMessage(message: Report, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  crossOriginIsolated?: boolean;
  navigator: { hardwareConcurrency?: number };
}
function isWorkerScope(value: unknown): value is WorkerScope {
  return typeof value === "object" && value !== null && "postMessage" in value && "importScripts" in value;
}
function workerScope(value: unknown): WorkerScope {
  if (!isWorkerScope(value)) throw new Error("the training worker must run in a Web Worker");
  return value;
}
const scope = workerScope(globalThis);

let train: Split | null = null;
let test: Split | null = null;
let model: Sequential | null = null;
let architecture: Architecture | null = null;
let state: TrainState = "idle";
let stopRequested = false;
let resume: (() => void) | null = null;
let sketch: Float32Array | null = null;
let testIndex: number | null = null;

function post(report: Report, transfer: Transferable[] = []): void {
  scope.postMessage(report, transfer);
}

/** True while a run is under way (the state may change while the loop awaits). */
function running(): boolean {
  return state === "training" || state === "paused";
}

function setState(next: TrainState): void {
  state = next;
  post({ type: "state", state, architecture, layers: model === null ? [] : watchedLayers(model).map((l) => l.label) });
}

/** Resolves after the event loop has run the tasks already queued (no timer clamping). */
function yieldToEvents(): Promise<void> {
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

function postProbabilities(): void {
  if (model === null) return;
  const pixels: Float32Array[] = [];
  if (sketch !== null) pixels.push(sketch);
  if (testIndex !== null && test !== null && testIndex < test.targets.length) {
    pixels.push(Float32Array.from(test.pixels.subarray(testIndex * 784, (testIndex + 1) * 784), (v) => v / 255));
  }
  if (pixels.length === 0) return;
  const all = new Float32Array(pixels.length * 784);
  pixels.forEach((p, i) => all.set(p, i * 784));
  const probabilities = logitsOf(model, all).map(softmax);
  post({ type: "probabilities", sketch: sketch === null ? null : probabilities[0], test: testIndex === null || test === null ? null : probabilities[probabilities.length - 1] });
}

async function runTraining(trainer: Trainer): Promise<void> {
  model = trainer.model;
  architecture = trainer.settings.model;
  stopRequested = false;
  setState("training");
  const layers = trainer.layers.length;
  const fresh = (): StepBatch => ({ epoch: 1, step: 0, stepsPerEpoch: trainer.stepsPerEpoch, globalStep: 0, loss: [], accuracy: [], gradients: Array.from({ length: layers }, () => []), samplesPerSecond: 0 });
  let batch = fresh();
  let samples = 0;
  let reported = performance.now();
  let probed = reported;
  let yielded = reported;
  let epochStarted = reported;
  let epochEnded = reported;
  let paused = 0;
  const flush = () => {
    const now = performance.now();
    batch.samplesPerSecond = samples / Math.max((now - reported) / 1000, 1e-6);
    if (batch.loss.length > 0) post({ type: "steps", batch });
    batch = fresh();
    samples = 0;
    reported = now;
  };
  const steps = trainer.run();
  for (;;) {
    if (stopRequested) break;
    if (state === "paused") {
      flush();
      const pausedAt = performance.now();
      await new Promise<void>((resolve) => (resume = resolve));
      resume = null;
      paused += performance.now() - pausedAt;
      reported = performance.now();
      if (stopRequested) break;
      setState("training");
    }
    const before = performance.now();
    const next = steps.next();
    if (next.done === true) break;
    const record = next.value;
    if (record.kind === "step") {
      addStep(batch, record);
      samples += record.batchSize;
      if (record.step === 1) {
        epochStarted = before;
        paused = 0;
      }
      if (record.step === record.stepsPerEpoch) {
        epochEnded = performance.now();
        flush(); // before the test evaluation, which is no training
      }
    } else {
      post({ type: "epoch", record, wallSeconds: (epochEnded - epochStarted - paused) / 1000 });
      reported = performance.now();
    }
    const now = performance.now();
    if (now - reported >= REPORT_MS) flush();
    if (now - probed >= PROBABILITIES_MS) {
      postProbabilities();
      probed = performance.now();
    }
    if (now - yielded >= YIELD_MS) {
      await yieldToEvents();
      yielded = performance.now();
    }
  }
  flush();
  setState(stopRequested ? "stopped" : "done");
  postProbabilities();
}

function addStep(batch: StepBatch, record: StepRecord): void {
  batch.epoch = record.epoch;
  batch.step = record.step;
  batch.globalStep = record.globalStep;
  batch.loss.push(record.loss);
  batch.accuracy.push(record.accuracy);
  record.gradients.forEach((g, k) => batch.gradients[k].push(g));
}

/** The architecture whose parameter names and shapes the tensors match, if any. */
function inferArchitecture(tensors: Record<string, Tensor>): Architecture | null {
  for (const candidate of ["mlp", "cnn"] as const) {
    const expected = Object.entries(buildModel(candidate, new Rng(0)).stateDict());
    const fits = expected.length === Object.keys(tensors).length &&
      expected.every(([name, t]) => Object.hasOwn(tensors, name) && tensors[name].shape.join() === t.shape.join());
    if (fits) return candidate;
  }
  return null;
}

function loadCheckpoint(name: string, bytes: Uint8Array): void {
  if (running()) throw new Error("stop training before loading a checkpoint");
  const metadata = loadSafetensorsMetadata(bytes);
  const tensors = loadSafetensors(bytes);
  const found = metadata.architecture ?? inferArchitecture(tensors);
  if (found !== "mlp" && found !== "cnn") throw new Error(`${name} holds neither the mlp nor the cnn model`);
  const loaded = buildModel(found, new Rng(0));
  loaded.loadStateDict(tensors);
  loaded.eval();
  model = loaded;
  architecture = found;
  setState("idle");
  post({ type: "loaded", name, architecture: found, test: test === null ? null : evaluate(loaded, test) });
  postProbabilities();
}

async function handle(request: Request): Promise<void> {
  switch (request.type) {
    case "init": {
      setNumThreads(Math.max(1, request.threads));
      const wasm = await initWasm(10_000);
      const maxThreads = Math.max(1, scope.navigator.hardwareConcurrency ?? 1);
      post({ type: "ready", isolated: scope.crossOriginIsolated === true, wasm, relaxedSimd: wasmInfo().relaxedSimd, threads: wasmInfo().threads ? getNumThreads() : 1, maxThreads });
      return;
    }
    case "threads":
      setNumThreads(Math.max(1, request.count));
      if (wasmInfo().threads) await initWasm(10_000);
      post({ type: "threads", threads: wasmInfo().threads ? getNumThreads() : 1 });
      return;
    case "data": {
      const bytes = (role: (typeof FILE_ROLES)[number]) => new Uint8Array(request.files[role].bytes);
      const names = (images: "trainImages" | "testImages", labels: "trainLabels" | "testLabels") => ({ images: request.files[images].name, labels: request.files[labels].name });
      if (running()) throw new Error("stop training before giving the page new data");
      // both splits parsed before either replaces the data the page has
      const newTrain = parseSplit(bytes("trainImages"), bytes("trainLabels"), names("trainImages", "trainLabels"));
      const newTest = parseSplit(bytes("testImages"), bytes("testLabels"), names("testImages", "testLabels"));
      [train, test] = [newTrain, newTest];
      post({ type: "data", trainCount: train.targets.length, testCount: test.targets.length, testPixels: test.pixels.slice(), testTargets: test.targets.slice() });
      return;
    }
    case "start":
      if (running()) throw new Error("already training: stop first");
      if (train === null || test === null) throw new Error("give the page the four data files first");
      try {
        await runTraining(new Trainer(request.settings, train, test));
      } catch (err) {
        // the state first, so that the page's status line ends on the error
        if (running()) setState("stopped");
        throw err;
      }
      return;
    case "pause":
      if (state === "training") setState("paused");
      return;
    case "resume":
      if (state === "paused") resume?.();
      return;
    case "stop":
      stopRequested = true;
      resume?.();
      return;
    case "watch":
      sketch = request.sketch;
      testIndex = request.testIndex;
      if (state !== "training") postProbabilities();
      return;
    case "export": {
      if (model === null || architecture === null) throw new Error("there is no model to export yet: train or load one");
      const bytes = saveSafetensors(model, { format: "pt", architecture });
      post({ type: "exported", bytes, fileName: `${architecture}-playground.safetensors` }, [bytes.buffer]);
      return;
    }
    case "load":
      loadCheckpoint(request.name, new Uint8Array(request.bytes));
      return;
    case "logits":
      if (model === null) throw new Error("there is no model yet: train or load one");
      post({ type: "logits", id: request.id, logits: logitsOf(model, request.pixels) });
      return;
  }
}

scope.onmessage = (event) => {
  handle(event.data).catch((err: unknown) => {
    post({ type: "error", request: event.data.type, message: err instanceof Error ? err.message : String(err) });
  });
};
