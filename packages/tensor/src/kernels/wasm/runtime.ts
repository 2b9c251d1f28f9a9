// The kernel runtime: emits the module (gemm-code.ts), picks relaxed SIMD
// where the runtime validates it, instantiates it over one memory that grows to the largest
// problem seen and is reused after that. Thread pool: threads.ts; gemm driver: gemm.ts.

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

const PAGE = 65536;
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

/** An instantiated kernel module, its memory and its exported functions. */
export class Runtime {
  readonly memory: WasmMemory;
  readonly instance: WasmInstance;
  private view: Float32Array;

  constructor(
    readonly module: WasmModule,
    readonly options: ModuleOptions,
  ) {
    const api = wasmApi()!;
    this.memory = new api.Memory({ initial: 1, maximum: MAX_PAGES, shared: options.shared });
    this.instance = new api.Instance(module, { env: { memory: this.memory } });
    this.view = new Float32Array(this.memory.buffer);
  }

  /** An exported kernel. */
  fn(name: string): WasmFunction {
    return exportedFunction(this.instance, name);
  }

  /**
   * A float32 view of memory at least `bytes` long, growing the memory if needed (it never
   * shrinks, so a training loop reaches its high-water mark in the first step and stays there).
   */
  reserve(bytes: number, op: string): Float32Array {
    if (bytes > MAX_PAGES * PAGE) {
      const mib = Math.ceil(bytes / 2 ** 20);
      throw new RangeError(`${op}: operands need ${mib} MiB, more than the ${(MAX_PAGES * PAGE) / 2 ** 20} MiB wasm memory`);
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

let compiled: { module: WasmModule; options: ModuleOptions } | null | undefined;
let runtime: Runtime | null | undefined;

/**
 * Compiles the best module the runtime supports (relaxed SIMD if it validates, shared memory
 * if worker threads are available), or returns null when WebAssembly SIMD is missing.
 */
function compileBest(): { module: WasmModule; options: ModuleOptions } | null {
  const api = wasmApi();
  if (api === undefined) return null;
  const shared = workerHost() !== undefined;
  for (const relaxed of [true, false]) {
    const bytes = buildModule({ relaxed, shared });
    if (!api.validate(bytes)) continue;
    try {
      return { module: new api.Module(bytes), options: { relaxed, shared } };
    } catch {
      // NOTE: browsers may refuse synchronous compilation on the main thread; initWasm() compiles
      // asynchronously instead
      return null;
    }
  }
  return null;
}

/** The shared kernel runtime, created on first use; null where WebAssembly SIMD is unavailable. */
export function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  if (compiled === undefined) compiled = compileBest();
  runtime = compiled === null ? null : new Runtime(compiled.module, compiled.options);
  return runtime;
}

/**
 * Compiles the kernels asynchronously (browsers refuse large synchronous compiles on the main
 * thread) and resolves to whether they are available. (The public initWasm, in gemm.ts, also
 * starts the worker threads.)
 */
export async function compileWasm(): Promise<boolean> {
  if (runtime !== undefined && runtime !== null) return true;
  const api = wasmApi();
  if (api === undefined) return false;
  for (const relaxed of [true, false]) {
    const options = { relaxed, shared: workerHost() !== undefined };
    const bytes = buildModule(options);
    if (!api.validate(bytes)) continue;
    compiled = { module: await api.compile(bytes), options };
    runtime = undefined;
    return getRuntime() !== null;
  }
  return false;
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
