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

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  Worker?: new (url: string) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
  WorkerGlobalScope?: unknown;
}

interface NodeOs {
  availableParallelism?: () => number;
  cpus(): readonly unknown[];
}

interface RuntimeGlobals {
  WebAssembly?: WasmApi;
  SharedArrayBuffer?: unknown;
  process?: { getBuiltinModule?: (id: string) => unknown };
  navigator?: { hardwareConcurrency?: number };
}

// Seen through the narrow interface above rather than compared with the runtime's own
// declarations: lib.dom and @types/node type WebAssembly differently, and a package that
// compiles this source under either must still typecheck.
const globals = globalThis as unknown as RuntimeGlobals;

/** The WebAssembly API, or undefined where the runtime has none. */
export function wasmApi(): WasmApi | undefined {
  return globals.WebAssembly;
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

function nodeBuiltin(id: string): unknown {
  const getBuiltinModule = globals.process?.getBuiltinModule;
  return typeof getBuiltinModule === "function" ? getBuiltinModule(id) : undefined;
}

/**
 * The pool's worker host: Node's worker_threads (also Deno and Bun), or, on a cross-origin isolated
 * page (the only place browsers allow shared WebAssembly memory), Web Workers started from a blob
 * URL; undefined where neither is available, and the kernels then run on the calling thread.
 */
export function workerHost(): WorkerHost | undefined {
  if (typeof globals.SharedArrayBuffer !== "function") return undefined;
  const mod = nodeBuiltin("node:worker_threads");
  if (isWorkerThreads(mod)) return nodeHost(mod);
  return browserHost(globalThis as unknown as BrowserGlobals);
}

function isWorkerThreads(mod: unknown): mod is WorkerThreads {
  return typeof mod === "object" && mod !== null && "Worker" in mod && typeof mod.Worker === "function";
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

function browserHost(g: BrowserGlobals): WorkerHost | undefined {
  const { Worker, Blob, URL } = g;
  if (g.crossOriginIsolated !== true || Worker === undefined || Blob === undefined || URL === undefined) return undefined;
  // the data arrives as the worker's first message; start() then never returns
  const prologue = `self.onmessage = (event) => { self.onmessage = null; const { module, memory, id } = event.data; start(module, memory, id); };\n`;
  return {
    // only a worker may block; a page's main thread spins while it waits for the workers
    canBlock: g.WorkerGlobalScope !== undefined,
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
  return Math.max(1, globals.navigator?.hardwareConcurrency ?? 1);
}

function isNodeOs(mod: unknown): mod is NodeOs {
  return typeof mod === "object" && mod !== null && "cpus" in mod && typeof mod.cpus === "function";
}

/** Milliseconds from a monotonic clock (performance.now, in Node and browsers alike). */
export function now(): number {
  return (globalThis as unknown as { performance: { now(): number } }).performance.now();
}

/** Resolves after `ms` milliseconds (setTimeout, in Node and browsers alike). */
export function delay(ms: number): Promise<void> {
  const timers = globalThis as unknown as { setTimeout(callback: () => void, ms: number): unknown };
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}
