// Worker threads that run gemm tiles, or other units of work, on the runtime's shared memory (Node
// worker_threads, or Web Workers on a cross-origin isolated page). The calling thread publishes a
// job in control words at the start of memory, wakes the workers, takes units itself and waits
// until every unit is done (blocking in Atomics.wait, or spinning on a browser's main thread,
// which may not block), so calls stay synchronous. Units are claimed one at a time; which thread
// computes a unit never changes its values, so results do not depend on the thread count.

import { type PoolWorker, type WasmFunction, type WorkerHost, now } from "./platform.js";
import { CONTROL_BYTES, type Runtime } from "./runtime.js";

// Control words (Int32 indices). CLAIM holds (job sequence << 20) | next unclaimed tile.
const GEN = 0;
const CLAIM = 1;
const DONE = 2;
const TOTAL = 3;
const ACTIVE = 4;
const FAILED = 5;
const KIND = 6;
const COUNT = 7;
const JOB = 8;
// the number of workers that have started (each counts itself in)
const READY = 95;
const STATS = 96;
const MAX_STATS = CONTROL_BYTES / 4 - STATS;
const TILE_MASK = 0xfffff;
const MAX_FIELDS = READY - JOB;

/**
 * Kernels of the module that a unit job may name; unit t of such a job, claimed by thread id,
 * calls kernel(t, id, ...fields). The thread id (0 for the caller) lets a unit pick its own
 * scratch space; it must never change the values a unit computes.
 */
export const UNIT_KERNELS = ["gemm_unit", "gemm_pack_unit", "conv_fwd_unit", "conv_wgrad_unit", "max_pool_unit", "pack_unit"] as const;

/** A job of `units` calls of one of UNIT_KERNELS. */
export interface UnitJob {
  kernel: (typeof UNIT_KERNELS)[number];
  units: number;
  fields: readonly number[];
}
/**
 * How long (ms) a thread polls a control word before sleeping on it: the gemms of a training step
 * come in quick succession, and waking a thread from its futex costs about as long as a small
 * tile (tens of microseconds on a virtual machine). A count of polls proved too short on a slow
 * or busy core, where the wake then landed on every small product; a worker polls for this long
 * after each job, so in a training loop it is always awake for the next one.
 */
const SPIN_MS = 2;

/**
 * Claims and computes units until none is left; kernels[i] is the unit kernel UNIT_KERNELS[i].
 * The worker source below repeats this loop in plain JavaScript; keep the two in step.
 */
function runTiles(ctl: Int32Array, kernels: readonly WasmFunction[], id: number): void {
  for (;;) {
    const claim = Atomics.load(ctl, CLAIM);
    const t = claim & TILE_MASK;
    const total = Atomics.load(ctl, TOTAL);
    if (t >= total) return;
    const kind = Atomics.load(ctl, KIND);
    const fields: number[] = [];
    for (let i = 0, count = Atomics.load(ctl, COUNT); i < count; i++) fields.push(Atomics.load(ctl, JOB + i));
    if (Atomics.compareExchange(ctl, CLAIM, claim, claim + 1) !== claim) continue;
    kernels[kind](t, id, ...fields);
    if (id < MAX_STATS) Atomics.add(ctl, STATS + id, 1);
    if (Atomics.add(ctl, DONE, 1) + 1 === total) Atomics.notify(ctl, DONE);
  }
}

// A worker's script: the host's prologue calls start() with the worker data (see platform.ts).
const WORKER_SOURCE = `"use strict";
function start(module, memory, id) {
const kernelExports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const kernels = ${JSON.stringify(UNIT_KERNELS)}.map((name) => kernelExports[name]);
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
Atomics.add(ctl, ${READY}, 1);
function runTiles() {
  for (;;) {
    const claim = Atomics.load(ctl, ${CLAIM});
    const t = claim & ${TILE_MASK};
    const total = Atomics.load(ctl, ${TOTAL});
    if (t >= total) return;
    const kind = Atomics.load(ctl, ${KIND});
    const fields = [];
    for (let i = 0, count = Atomics.load(ctl, ${COUNT}); i < count; i++) fields.push(Atomics.load(ctl, ${JOB} + i));
    if (Atomics.compareExchange(ctl, ${CLAIM}, claim, claim + 1) !== claim) continue;
    try {
      kernels[kind](t, id, ...fields);
    } catch {
      Atomics.store(ctl, ${FAILED}, 1);
    }
    if (id < ${MAX_STATS}) Atomics.add(ctl, ${STATS} + id, 1);
    if (Atomics.add(ctl, ${DONE}, 1) + 1 === total) Atomics.notify(ctl, ${DONE});
  }
}
let seen = 0;
for (;;) {
  const until = performance.now() + ${SPIN_MS};
  while (Atomics.load(ctl, ${GEN}) === seen && performance.now() < until) {
    for (let i = 0; i < 256 && Atomics.load(ctl, ${GEN}) === seen; i++);
  }
  Atomics.wait(ctl, ${GEN}, seen);
  seen = Atomics.load(ctl, ${GEN});
  if (id < Atomics.load(ctl, ${ACTIVE})) runTiles();
}
}
`;

/** Runs every unit of `job` on `pool`, or one after another on this thread where there is none. */
export function runUnits(runtime: Runtime, pool: ThreadPool | undefined, job: UnitJob, callerJoins = true): void {
  if (pool !== undefined) {
    pool.runUnits(job, callerJoins);
    return;
  }
  const kernel = runtime.fn(job.kernel);
  for (let t = 0; t < job.units; t++) kernel(t, 0, ...job.fields);
}

/** Worker threads sharing a runtime's memory; the calling thread counts as thread 0. */
export class ThreadPool {
  private readonly workers: PoolWorker[] = [];
  private readonly ctl: Int32Array;
  private readonly kernels: WasmFunction[];
  private seq = 0;
  private spawned = 0;
  private failed = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly host: WorkerHost,
  ) {
    this.ctl = new Int32Array(runtime.memory.buffer, 0, CONTROL_BYTES / 4);
    this.kernels = UNIT_KERNELS.map((name) => runtime.fn(name));
  }

  /** Starts or stops workers so that `count` threads (the caller included) share each job. */
  resize(count: number): void {
    const workers = this.failed ? 0 : count - 1;
    while (this.workers.length < workers && !this.failed) this.spawn(this.workers.length + 1);
    while (this.workers.length > workers) void this.workers.pop()!.terminate();
  }

  private spawn(id: number): void {
    const data = { module: this.runtime.module, memory: this.runtime.memory, id };
    // a worker that cannot start never claims a tile; the caller then computes them all
    try {
      this.workers.push(this.host.spawn(WORKER_SOURCE, data, () => (this.failed = true)));
      this.spawned++;
    } catch {
      // NOTE: a page's content security policy may refuse workers from blob URLs
      this.failed = true;
    }
  }

  /**
   * True once every worker started so far is running. Workers start asynchronously (a browser's
   * only after the page's script yields); until then the caller and the started ones share jobs.
   */
  get started(): boolean {
    return this.failed || Atomics.load(this.ctl, READY) >= this.spawned;
  }

  /**
   * Runs every unit of `job` and returns when all are done. With `callerJoins` false the
   * calling thread only waits (tests use it to make the workers do all the work).
   */
  runUnits(job: UnitJob, callerJoins = true): void {
    this.publish(UNIT_KERNELS.indexOf(job.kernel), job.units, job.fields, callerJoins);
  }

  private publish(kind: number, total: number, fields: readonly number[], callerJoins: boolean): void {
    if (fields.length > MAX_FIELDS) throw new RangeError(`ThreadPool: a job takes at most ${MAX_FIELDS} fields`);
    if (total > TILE_MASK) throw new RangeError(`ThreadPool: a job has at most ${TILE_MASK} units`);
    const ctl = this.ctl;
    // 1. close claiming, then publish the job and open claiming under a new sequence number
    Atomics.store(ctl, CLAIM, TILE_MASK);
    Atomics.store(ctl, KIND, kind);
    Atomics.store(ctl, COUNT, fields.length);
    fields.forEach((value, i) => Atomics.store(ctl, JOB + i, value));
    Atomics.store(ctl, TOTAL, total);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, ACTIVE, this.failed ? 1 : this.workers.length + 1);
    this.seq = (this.seq % 2047) + 1;
    Atomics.store(ctl, CLAIM, this.seq << 20);
    // 2. wake the workers, take tiles, wait for the rest
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    // NOTE: a thread that cannot block always joins: a worker it would wait for may not have started
    if (callerJoins || this.workers.length === 0 || this.failed || !this.host.canBlock) runTiles(ctl, this.kernels, 0);
    const until = this.host.canBlock ? now() + SPIN_MS : Infinity;
    while (Atomics.load(ctl, DONE) < total && now() < until) {
      for (let i = 0; i < 256 && Atomics.load(ctl, DONE) < total; i++);
    }
    for (let done = Atomics.load(ctl, DONE); done < total; done = Atomics.load(ctl, DONE)) {
      Atomics.wait(ctl, DONE, done);
    }
    if (Atomics.exchange(ctl, FAILED, 0) !== 0) throw new Error("wasmGemm: a worker thread failed to compute its tile");
  }

  /** Tiles computed so far by each thread (index 0 is the caller); for tests. */
  tilesPerThread(): number[] {
    return Array.from({ length: this.workers.length + 1 }, (_, id) => Atomics.load(this.ctl, STATS + id));
  }

  /** The number of threads that share a job (the caller included). */
  get size(): number {
    return this.failed ? 1 : this.workers.length + 1;
  }
}
