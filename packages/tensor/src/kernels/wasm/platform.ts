// What the wasm kernels need from the JavaScript runtime, found by feature checks so that the
// package imports cleanly in Node and in browser bundles: the WebAssembly API, worker threads
// (Node's worker_threads module, reached through process.getBuiltinModule and never imported, or
// a browser's Web Workers on a cross-origin isolated page) and the core count.

/** A WebAssembly.Memory, as far as the kernels use it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** A compiled WebAssembly.Module (opaque). */
export interface WasmModule {
  readonly __brand?: "WasmModule";
}

/** A WebAssembly.Instance, as far as the kernels use it. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The parts of the global WebAssembly namespace the kernels use. */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
}

/** A worker thread of the pool, Node's or a browser's. */
export interface PoolWorker {
  terminate(): void;
}

/** Worker data: the compiled kernels, the shared memory and the worker's thread id. */
export interface PoolWorkerData {
  module: WasmModule;
  memory: WasmMemory;
  id: number;
}

/** How this runtime starts the pool's workers, and whether its calling thread may block. */
export interface WorkerHost {
  /**
   * Starts a worker that runs `body`, a script that defines `start(module, memory, id)`, with
   * `data`; `onError` runs if the worker fails to start.
   */
  spawn(body: string, data: PoolWorkerData, onError: () => void): PoolWorker;
  /** False on a browser's main thread, where Atomics.wait throws: the caller spins instead. */
  canBlock: boolean;
}

interface NodeWorker extends PoolWorker {
  unref(): void;
  on(event: "error", listener: (error: Error) => void): void;
}

interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}

interface WebWorker extends PoolWorker {
  postMessage(message: unknown): void;
  addEventListener(event: "error", listener: () => void): void;
}

interface UrlApi {
  createObjectURL(blob: unknown): string;
  revokeObjectURL(url: string): void;
}

interface NodeOs {
  availableParallelism?: () => number;
  cpus(): readonly unknown[];
}

interface NodeProcess {
  getBuiltinModule(id: string): unknown;
}

interface Clock {
  now(): number;
}

interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
}

// The runtime's globals are read by name and checked before use, rather than typed by the
// runtime's own declarations: lib.dom and @types/node type them differently, and a package that
// compiles this source under either (or neither) must still typecheck.
const scope: object = globalThis;

/** The global `name`, unchecked (undefined where the runtime has none). */
function globalProperty(name: string): unknown {
  return Reflect.get(scope, name);
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}

/** True when `value` is an object whose `keys` are all functions. */
function hasFunctions(value: unknown, ...keys: string[]): value is object {
  return isObject(value) && keys.every((key) => typeof Reflect.get(value, key) === "function");
}

function isWasmApi(value: unknown): value is WasmApi {
  return hasFunctions(value, "validate", "compile", "Module", "Instance", "Memory");
}

/** The WebAssembly API, or undefined where the runtime has none. */
export function wasmApi(): WasmApi | undefined {
  const api = globalProperty("WebAssembly");
  return isWasmApi(api) ? api : undefined;
}

/** An exported wasm function called with numbers. */
export type WasmFunction = (...args: number[]) => number;

/** Reads an exported function by name, throwing if the module lacks it. */
export function exportedFunction(instance: WasmInstance, name: string): WasmFunction {
  const fn = instance.exports[name];
  if (!isWasmFunction(fn)) throw new Error(`wasm kernels: the module exports no function ${name}`);
  return fn;
}

function isWasmFunction(value: unknown): value is WasmFunction {
  return typeof value === "function";
}

function isNodeProcess(value: unknown): value is NodeProcess {
  return hasFunctions(value, "getBuiltinModule");
}

function nodeBuiltin(id: string): unknown {
  const host = globalProperty("process");
  return isNodeProcess(host) ? host.getBuiltinModule(id) : undefined;
}

/**
 * The pool's worker host: Node's worker_threads (also Deno and Bun), or, on a cross-origin isolated
 * page (the only place browsers allow shared WebAssembly memory), Web Workers started from a blob
 * URL; undefined where neither is available, and the kernels then run on the calling thread.
 */
export function workerHost(): WorkerHost | undefined {
  if (typeof globalProperty("SharedArrayBuffer") !== "function") return undefined;
  const mod = nodeBuiltin("node:worker_threads");
  if (isWorkerThreads(mod)) return nodeHost(mod);
  return browserHost();
}

function isWorkerThreads(mod: unknown): mod is WorkerThreads {
  return hasFunctions(mod, "Worker");
}

function isWebWorkerConstructor(value: unknown): value is new (url: string) => WebWorker {
  return typeof value === "function";
}

function isBlobConstructor(value: unknown): value is new (parts: string[], options: { type: string }) => unknown {
  return typeof value === "function";
}

function isUrlApi(value: unknown): value is UrlApi {
  return hasFunctions(value, "createObjectURL", "revokeObjectURL");
}

function nodeHost(threads: WorkerThreads): WorkerHost {
  const prologue = `const { workerData } = require("node:worker_threads");\n`;
  const epilogue = `\nstart(workerData.module, workerData.memory, workerData.id);\n`;
  return {
    canBlock: true,
    spawn(body, workerData, onError) {
      const worker = new threads.Worker(prologue + body + epilogue, { eval: true, workerData });
      worker.on("error", onError);
      worker.unref(); // an idle pool never keeps the process alive
      return worker;
    },
  };
}

function browserHost(): WorkerHost | undefined {
  const [Worker, Blob, URL] = [globalProperty("Worker"), globalProperty("Blob"), globalProperty("URL")];
  const usable = isWebWorkerConstructor(Worker) && isBlobConstructor(Blob) && isUrlApi(URL);
  if (globalProperty("crossOriginIsolated") !== true || !usable) return undefined;
  // the data arrives as the worker's first message; start() then never returns
  const prologue = `self.onmessage = (event) => { self.onmessage = null; const { module, memory, id } = event.data; start(module, memory, id); };\n`;
  return {
    // only a worker may block; a page's main thread spins while it waits for the workers
    canBlock: globalProperty("WorkerGlobalScope") !== undefined,
    spawn(body, data, onError) {
      const url = URL.createObjectURL(new Blob([prologue + body], { type: "text/javascript" }));
      const worker = new Worker(url);
      worker.addEventListener("error", onError);
      worker.postMessage(data);
      URL.revokeObjectURL(url);
      return worker;
    },
  };
}

/** The number of CPU cores the runtime reports (at least 1). */
export function coreCount(): number {
  const os = nodeBuiltin("node:os");
  if (isNodeOs(os)) return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const navigator = globalProperty("navigator");
  const cores: unknown = isObject(navigator) ? Reflect.get(navigator, "hardwareConcurrency") : undefined;
  return typeof cores === "number" ? Math.max(1, cores) : 1;
}

function isNodeOs(mod: unknown): mod is NodeOs {
  return hasFunctions(mod, "cpus");
}

function isClock(value: unknown): value is Clock {
  return hasFunctions(value, "now");
}

let clock: Clock | undefined;

/** Milliseconds from a monotonic clock (performance.now, in Node and browsers alike). */
export function now(): number {
  if (clock === undefined) {
    const performance = globalProperty("performance");
    clock = isClock(performance) ? performance : Date;
  }
  return clock.now();
}

function isTimers(value: unknown): value is Timers {
  return hasFunctions(value, "setTimeout");
}

/** Resolves after `ms` milliseconds (setTimeout, in Node and browsers alike). */
export function delay(ms: number): Promise<void> {
  if (!isTimers(scope)) return Promise.resolve();
  return new Promise((resolve) => scope.setTimeout(resolve, ms));
}
