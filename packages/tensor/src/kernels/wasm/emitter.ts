// A small WebAssembly binary emitter: instructions are byte arrays built by the helpers below and
// concatenated into function bodies, which ModuleBuilder assembles into a module. The kernels
// written with it are in gemm-code.ts.

/** Encoded instruction bytes; a nested array is flattened when the module is assembled. */
export type Code = number | readonly Code[];

/** A WebAssembly value type. */
export type ValType = "i32" | "f32" | "f64" | "v128";

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** A function-local variable (parameters come first, then declared locals). */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/** Unsigned LEB128 encoding of a non-negative integer. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 encoding of a 32-bit integer. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Flattens nested code into plain bytes. */
export function flatten(code: Code, out: number[] = []): number[] {
  if (typeof code === "number") out.push(code);
  else for (const part of code) flatten(part, out);
  return out;
}

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];

// Locals and constants
export const get = (l: Local): Code => [0x20, ...uleb(l.index)];
export const set = (l: Local, value: Code): Code => [value, 0x21, ...uleb(l.index)];
export const tee = (l: Local, value: Code): Code => [value, 0x22, ...uleb(l.index)];
export const i32 = (v: number): Code => [0x41, ...sleb(v)];
export const f32 = (v: number): Code => {
  const bytes = new Uint8Array(new Float32Array([v]).buffer);
  return [0x43, ...bytes];
};

// i32 arithmetic and comparisons (two operands pushed left to right)
const binary = (op: number) => (a: Code, b: Code): Code => [a, b, op];
export const add = binary(0x6a);
export const sub = binary(0x6b);
export const mul = binary(0x6c);
export const ltS = binary(0x48);
export const geS = binary(0x4e);
export const ne = binary(0x47);
export const or = binary(0x72);
export const shrU = binary(0x76);
export const divU = binary(0x6e);
export const remU = binary(0x70);
/** Adds `step` to an i32 local in place. */
export const inc = (l: Local, step: Code): Code => set(l, add(get(l), step));

// Scalar f32 comparisons and select (`a` where cond is non-zero, else `b`)
export const fgt = binary(0x5e);
export const fne = binary(0x5c);
export const select = (a: Code, b: Code, cond: Code): Code => [a, b, cond, 0x1b];
/** Scalar f32 addition. */
export const fadd = binary(0x92);
/** f32.max: NaN if either is NaN, max(-0, +0) = +0 (as f32x4.max). */
export const fmax = binary(0x97);
/** Scalar f64 addition, and an f32 widened to f64. */
export const dadd = binary(0xa0);
export const promote = (a: Code): Code => [a, 0xbb];

// Scalar memory access
export const i32Load = (addr: Code, offset = 0): Code => [addr, 0x28, ...memarg(2, offset)];
export const i32Store = (addr: Code, value: Code, offset = 0): Code => [addr, value, 0x36, ...memarg(2, offset)];
export const f32Load = (addr: Code, offset = 0): Code => [addr, 0x2a, ...memarg(2, offset)];
export const f32Store = (addr: Code, value: Code, offset = 0): Code => [addr, value, 0x38, ...memarg(2, offset)];
export const f64Store = (addr: Code, value: Code, offset = 0): Code => [addr, value, 0x39, ...memarg(3, offset)];

/** memory.copy of `bytes` bytes from `src` to `dst` (bulk memory; the regions may overlap). */
export const memoryCopy = (dst: Code, src: Code, bytes: Code): Code => [dst, src, bytes, 0xfc, ...uleb(10), 0, 0];

/** memory.fill: sets `bytes` bytes at `dst` to the low byte of `value`. */
export const memoryFill = (dst: Code, value: Code, bytes: Code): Code => [dst, value, bytes, 0xfc, ...uleb(11), 0];

// SIMD: memory, lanes, f32x4 arithmetic
export const load = (addr: Code, offset = 0): Code => [addr, simd(0x00), memarg(4, offset)];
export const loadSplat = (addr: Code, offset = 0): Code => [addr, simd(0x09), memarg(2, offset)];
export const store = (addr: Code, value: Code, offset = 0): Code => [addr, value, simd(0x0b), memarg(4, offset)];
export const zero = (): Code => [simd(0x0c), new Array<number>(16).fill(0)];
export const splat = (a: Code): Code => [a, simd(0x13)];
export const extractLane = (a: Code, lane: number): Code => [a, simd(0x1f), lane];
/** f32x4.replace_lane: `a` with lane `lane` set to the f32 `value`. */
export const replaceLane = (a: Code, lane: number, value: Code): Code => [a, value, simd(0x20), lane];
/** Lane shuffle of two f32x4 vectors; lanes 0..3 pick from `a`, 4..7 from `b`. */
export const shuffle = (a: Code, b: Code, lanes: readonly number[]): Code => [
  a,
  b,
  simd(0x0d),
  lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
];
/**
 * A 4x4 transpose of the f32x4 vectors in `rows` through the scratch vectors `t`: `setup` fills
 * `t`, then `columns[c]` is [rows[0][c], rows[1][c], rows[2][c], rows[3][c]].
 */
export function transpose4x4(rows: readonly Local[], t: readonly Local[]): { setup: Code; columns: Code[] } {
  return {
    setup: [
      set(t[0], shuffle(get(rows[0]), get(rows[1]), [0, 4, 1, 5])),
      set(t[1], shuffle(get(rows[0]), get(rows[1]), [2, 6, 3, 7])),
      set(t[2], shuffle(get(rows[2]), get(rows[3]), [0, 4, 1, 5])),
      set(t[3], shuffle(get(rows[2]), get(rows[3]), [2, 6, 3, 7])),
    ],
    columns: [
      shuffle(get(t[0]), get(t[2]), [0, 1, 4, 5]),
      shuffle(get(t[0]), get(t[2]), [2, 3, 6, 7]),
      shuffle(get(t[1]), get(t[3]), [0, 1, 4, 5]),
      shuffle(get(t[1]), get(t[3]), [2, 3, 6, 7]),
    ],
  };
}

const simdBinary = (op: number) => (a: Code, b: Code): Code => [a, b, simd(op)];
export const vadd = simdBinary(0xe4);
export const vsub = simdBinary(0xe5);
export const vmul = simdBinary(0xe6);
export const vdiv = simdBinary(0xe7);
export const vmax = simdBinary(0xe9); // f32x4.max: NaN if either lane is NaN, max(-0, +0) = +0
export const vsqrt = (a: Code): Code => [a, simd(0xe3)];
export const vle = simdBinary(0x45);
/** a & ~b, bitwise (v128.andnot). */
export const andnot = simdBinary(0x4f);
/** f32x4 lane comparisons (all-ones lanes where true). */
export const vgt = simdBinary(0x44);
export const vne = simdBinary(0x42);
export const vor = simdBinary(0x50);
export const vand = simdBinary(0x4e);
/** i32x4.ge_u: all-ones lanes where a ≥ b as unsigned 32-bit integers. */
export const i32x4GeU = simdBinary(0x40);
export const i32x4Add = simdBinary(0xae);
export const i32x4Splat = (a: Code): Code => [a, simd(0x11)];
/** v128.const from four i32 lanes. */
export const i32x4Const = (lanes: readonly number[]): Code => [
  simd(0x0c),
  lanes.flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]),
];
/** Bits of `a` where `mask` is set, of `b` elsewhere. */
export const bitselect = (a: Code, b: Code, mask: Code): Code => [a, b, mask, simd(0x52)];
/** Relaxed-SIMD multiply-add a·b + c (fused where the hardware has FMA). */
export const relaxedMadd = (a: Code, b: Code, c: Code): Code => [a, b, c, simd(0x105)];
/** f64x2 from the two low f32 lanes; f64x2 addition and lane read. */
export const promoteLow = (a: Code): Code => [a, simd(0x5f)];
export const f64x2Add = simdBinary(0xf0);
export const f64x2ExtractLane = (a: Code, lane: number): Code => [a, simd(0x21), lane];

// Structured control flow (blocks take no values and return none)
export const block = (...body: Code[]): Code => [0x02, 0x40, body, 0x0b];
export const loop = (...body: Code[]): Code => [0x03, 0x40, body, 0x0b];
export const brIf = (depth: number, cond: Code): Code => [cond, 0x0d, ...uleb(depth)];
export const ifThen = (cond: Code, then: Code, otherwise?: Code): Code =>
  otherwise === undefined ? [cond, 0x04, 0x40, then, 0x0b] : [cond, 0x04, 0x40, then, 0x05, otherwise, 0x0b];
export const call = (fn: number, ...args: Code[]): Code => [args, 0x10, ...uleb(fn)];

/**
 * `for (i = start; i < end; i += step) body`, with `end` and `step` evaluated every iteration.
 * The body must not branch out of the loop.
 */
export function forRange(i: Local, start: Code, end: Code, step: Code, ...body: Code[]): Code {
  return [set(i, start), block(brIf(0, geS(get(i), end)), loop(body, inc(i, step), brIf(0, ltS(get(i), end))))];
}

/** Builds one function: parameters, declared locals and a body. */
export class FunctionBuilder {
  readonly params: Local[];
  private readonly locals: Local[] = [];

  constructor(
    readonly name: string,
    paramTypes: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  /** Declares a new local of the given type. */
  local(type: ValType): Local {
    const l = { index: this.params.length + this.locals.length, type };
    this.locals.push(l);
    return l;
  }

  /** The encoded body: local declarations (one group per local) then the code. */
  encode(body: Code): number[] {
    const decls = this.locals.flatMap((l) => [1, VALTYPE[l.type]]);
    const bytes = [...uleb(this.locals.length), ...decls, ...flatten(body), 0x0b];
    return [...uleb(bytes.length), ...bytes];
  }

  /** The encoded function type. */
  signature(): number[] {
    const vec = (types: readonly ValType[]) => [...uleb(types.length), ...types.map((t) => VALTYPE[t])];
    return [0x60, ...vec(this.params.map((p) => p.type)), ...vec(this.results)];
  }
}

/** Assembles functions that share one imported memory `env.memory` into a module binary. */
export class ModuleBuilder {
  private readonly functions: { fn: FunctionBuilder; body: Code; exported: boolean }[] = [];

  constructor(private readonly memory: { shared: boolean; initialPages: number; maximumPages: number }) {}

  /** Adds a function and returns its index (for `call`). */
  add(fn: FunctionBuilder, body: Code, exported = true): number {
    this.functions.push({ fn, body, exported });
    return this.functions.length - 1;
  }

  /** The module's bytes. */
  toBytes(): Uint8Array {
    const section = (id: number, payload: number[]) => [id, ...uleb(payload.length), ...payload];
    const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
    const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
    const { shared, initialPages, maximumPages } = this.memory;
    const limits = [shared ? 0x03 : 0x01, ...uleb(initialPages), ...uleb(maximumPages)];
    const exports = this.functions.flatMap((f, i) => (f.exported ? [[...name(f.fn.name), 0x00, ...uleb(i)]] : []));
    return new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, vec(this.functions.map((f) => f.fn.signature()))),
      ...section(2, vec([[...name("env"), ...name("memory"), 0x02, ...limits]])),
      ...section(3, vec(this.functions.map((_, i) => uleb(i)))),
      ...section(7, vec(exports)),
      ...section(10, vec(this.functions.map((f) => f.fn.encode(f.body)))),
    ]);
  }
}
