// What the wasm kernels need from the JavaScript runtime, found by feature checks so that the
// package imports cleanly in Node and in browser bundles: the WebAssembly API, and in Node the
// worker_threads and os modules (reached through process.getBuiltinModule, never imported).

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

/** A Node worker thread, as far as the pool uses it. */
export interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: "error", listener: (error: Error) => void): void;
}

/** The parts of node:worker_threads the pool uses. */
export interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
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
 * node:worker_threads when the runtime can block the calling thread on shared memory (Node,
 * Deno, Bun); undefined in browsers, whose main thread cannot wait for workers synchronously.
 */
export function workerThreads(): WorkerThreads | undefined {
  if (typeof globals.SharedArrayBuffer !== "function") return undefined;
  const mod = nodeBuiltin("node:worker_threads");
  return isWorkerThreads(mod) ? mod : undefined;
}

function isWorkerThreads(mod: unknown): mod is WorkerThreads {
  return typeof mod === "object" && mod !== null && "Worker" in mod && typeof mod.Worker === "function";
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
