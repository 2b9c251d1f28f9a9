// The one place that builds, compiles, caches and instantiates WebAssembly modules. The main kernel
// module (gemm, convolution, pooling: the *-code.ts emitters) picks relaxed SIMD where the runtime
// validates it and a shared memory where worker threads exist; smaller modules (elementwise-code.ts,
// adam-code.ts) come through compileModule and Runtime the same way. A Runtime is one instance over
// one memory that grows to the largest problem seen. Thread pool: threads.ts; gemm driver: gemm.ts.

import { ModuleBuilder } from "./emitter.js";
import { addConv } from "./conv-code.js";
import { addConvUnits } from "./conv-unit-code.js";
import { addGemm } from "./gemm-code.js";
import { addPool } from "./pool-code.js";
import {
  type WasmFunction,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
  exportedFunction,
  wasmApi,
  workerHost,
} from "./platform.js";

/** Bytes in a WebAssembly memory page. */
export const PAGE = 65536;
/** The memory's limit: 2 GiB keeps every byte address a positive i32. */
export const MAX_PAGES = 32768;
/** Bytes at the start of memory reserved for the thread pool's control words. */
export const CONTROL_BYTES = 512;

/** Which module variant to build. */
export interface ModuleOptions {
  /** Use f32x4.relaxed_madd (FMA where the hardware has it) in the gemm micro-kernel. */
  relaxed: boolean;
  /** Import a shared memory, so that worker threads can run the same kernels on it. */
  shared: boolean;
}

/** The module's bytes for the given options. */
export function buildModule(options: ModuleOptions): Uint8Array {
  const mod = new ModuleBuilder({ shared: options.shared, initialPages: 1, maximumPages: MAX_PAGES });
  const gemm = addGemm(mod, options.relaxed);
  const conv = addConv(mod);
  addPool(mod);
  addConvUnits(mod, gemm, conv.spreadRows);
  return mod.toBytes();
}

/** The memory a Runtime creates for its instance, in 64 KiB pages. */
export interface MemoryOptions {
  initial: number;
  maximum: number;
  shared: boolean;
}

/** An instantiated module, its memory and its exported functions. */
export class Runtime {
  readonly memory: WasmMemory;
  readonly instance: WasmInstance;
  private readonly maximumPages: number;
  private readonly functions = new Map<string, WasmFunction>();
  private view: Float32Array;

  /** Instantiates `module` over a new memory (by default one page, growing to MAX_PAGES). */
  constructor(
    readonly module: WasmModule,
    readonly options: ModuleOptions,
    memory: MemoryOptions = { initial: 1, maximum: MAX_PAGES, shared: options.shared },
  ) {
    const api = wasmApi()!;
    this.memory = new api.Memory(memory);
    this.maximumPages = memory.maximum;
    this.instance = new api.Instance(module, { env: { memory: this.memory } });
    this.view = new Float32Array(this.memory.buffer);
  }

  /** An exported kernel (looked up once). */
  fn(name: string): WasmFunction {
    let found = this.functions.get(name);
    if (found === undefined) {
      found = exportedFunction(this.instance, name);
      this.functions.set(name, found);
    }
    return found;
  }

  /**
   * A float32 view of memory at least `bytes` long, growing the memory if needed (it never
   * shrinks, so a training loop reaches its high-water mark in the first step and stays there).
   */
  reserve(bytes: number, op: string): Float32Array {
    if (bytes > this.maximumPages * PAGE) {
      const mib = Math.ceil(bytes / 2 ** 20);
      throw new RangeError(`${op}: operands need ${mib} MiB, more than the ${(this.maximumPages * PAGE) / 2 ** 20} MiB wasm memory`);
    }
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
    if (this.view.buffer !== this.memory.buffer || this.view.length * 4 !== this.memory.buffer.byteLength) {
      this.view = new Float32Array(this.memory.buffer);
    }
    return this.view;
  }

  /** The memory's size in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }
}

/** Rounds `bytes` up to a multiple of 64 (a cache line). */
export function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** A compiled module and the options of the variant that validated. */
export interface Compiled {
  module: WasmModule;
  options: ModuleOptions;
}

/** Compiled modules by name; null for one this runtime cannot compile. */
const compiled = new Map<string, Compiled | null>();

/**
 * Module `name`, compiled once and cached: the first of `variants` whose bytes (from `build`)
 * validate. Null where WebAssembly SIMD is missing, no variant validates, or the runtime refuses a
 * synchronous compile (browsers may, on a page's main thread: compileModuleAsync then).
 */
export function compileModule(name: string, variants: readonly ModuleOptions[], build: (options: ModuleOptions) => Uint8Array): Compiled | null {
  const known = compiled.get(name);
  if (known !== undefined) return known;
  let result: Compiled | null = null;
  const api = wasmApi();
  for (const options of api === undefined ? [] : variants) {
    const bytes = build(options);
    if (!api?.validate(bytes)) continue;
    try {
      result = { module: new api.Module(bytes), options };
    } catch {
      // NOTE: a refused synchronous compile; the caller's plain loop runs instead
    }
    break;
  }
  compiled.set(name, result);
  return result;
}

/** compileModule's asynchronous twin: compiles module `name` off the calling thread and caches it. */
export async function compileModuleAsync(name: string, variants: readonly ModuleOptions[], build: (options: ModuleOptions) => Uint8Array): Promise<Compiled | null> {
  const known = compiled.get(name);
  if (known !== undefined && known !== null) return known;
  const api = wasmApi();
  for (const options of api === undefined ? [] : variants) {
    const bytes = build(options);
    if (!api?.validate(bytes)) continue;
    const result = { module: await api.compile(bytes), options };
    compiled.set(name, result);
    return result;
  }
  return null;
}

/**
 * A new Runtime over `memory` for module `name` (compiled once from `build`, with no relaxed SIMD
 * and no threads); null where it cannot be compiled or instantiated here.
 */
export function instantiate(name: string, build: () => Uint8Array, memory: MemoryOptions): Runtime | null {
  const options = { relaxed: false, shared: memory.shared };
  const module = compileModule(name, [options], build);
  if (module === null) return null;
  try {
    return new Runtime(module.module, options, memory);
  } catch {
    // NOTE: a runtime may refuse a new memory; the caller's plain loop runs then
    return null;
  }
}

/** The main module's variants, best first. */
function mainVariants(): ModuleOptions[] {
  const shared = workerHost() !== undefined;
  return [{ relaxed: true, shared }, { relaxed: false, shared }];
}

let runtime: Runtime | null | undefined;

/** The shared kernel runtime, created on first use; null where WebAssembly SIMD is unavailable. */
export function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  const main = compileModule("kernels", mainVariants(), buildModule);
  runtime = main === null ? null : new Runtime(main.module, main.options);
  return runtime;
}

/**
 * Compiles the kernels asynchronously (browsers refuse large synchronous compiles on the main
 * thread) and resolves to whether they are available. (The public initWasm, in gemm.ts, also
 * starts the worker threads.)
 */
export async function compileWasm(): Promise<boolean> {
  if (runtime !== undefined && runtime !== null) return true;
  if ((await compileModuleAsync("kernels", mainVariants(), buildModule)) === null) return false;
  runtime = undefined;
  return getRuntime() !== null;
}

/** True when the WebAssembly SIMD kernels can run here (compiling them on first call). */
export function isWasmAvailable(): boolean {
  return getRuntime() !== null;
}

/** What the kernels run with: relaxed-SIMD FMA, and threads (shared memory plus workers). */
export interface WasmInfo {
  /** Whether the WebAssembly kernels can run here (SIMD support). */
  available: boolean;
  /** Whether relaxed SIMD (fused multiply-add) is in use. */
  relaxedSimd: boolean;
  /** Whether worker threads share the module's memory (needs SharedArrayBuffer). */
  threads: boolean;
  /** Bytes of module memory in use (the high-water mark of the largest problem so far). */
  memoryBytes: number;
}

/** Describes the kernel runtime; see WasmInfo. */
export function wasmInfo(): WasmInfo {
  const rt = getRuntime();
  return {
    available: rt !== null,
    relaxedSimd: rt?.options.relaxed ?? false,
    threads: rt?.options.shared ?? false,
    memoryBytes: rt?.byteLength ?? 0,
  };
}
