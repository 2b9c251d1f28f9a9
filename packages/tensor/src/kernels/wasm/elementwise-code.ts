// The element-wise float32 kernels in WebAssembly SIMD, four elements at a time: ReLU and its
// backward, add/sub/mul/div (same shapes, or a row repeated along the leading dims), dropout's
// mask and a bias gradient's row sums. The driver is elementwise.ts. Every lane rounds as the
// plain loop's float32 store does (a float32 +, −, × or ÷ computed in float64 and rounded once
// gives the correctly rounded float32 result), so both paths agree bit for bit.

import {
  add,
  andnot,
  FunctionBuilder,
  forRange,
  get,
  i32,
  i32x4GeU,
  i32x4Splat,
  load,
  f64x2Add,
  ModuleBuilder,
  promoteLow,
  set,
  shuffle,
  splat,
  store,
  vadd,
  vand,
  vdiv,
  vle,
  vmax,
  vmul,
  vsub,
  zero,
  type Code,
} from "./emitter.js";
import type { FastBinaryKind } from "../accelerator.js";

const BINARY_OPS: Record<FastBinaryKind, (a: Code, b: Code) => Code> = { add: vadd, sub: vsub, mul: vmul, div: vdiv };
/** The binary ops with kernels: each has `<kind>` and `<kind>_rows`. */
export const BINARY_KINDS: readonly FastBinaryKind[] = ["add", "sub", "mul", "div"];

/** relu(x, out, bytes): out = f32x4.max(x, 0), which keeps NaN and turns -0 into +0. */
function reluBody(fn: FunctionBuilder): Code {
  const [x, out, bytes] = fn.params;
  const i = fn.local("i32");
  return forRange(i, i32(0), get(bytes), i32(16), store(add(get(out), get(i)), vmax(load(add(get(x), get(i))), zero())));
}

/** relu_backward(g, x, out, bytes): out = g where x is not <= 0 (NaN x passes g), else +0. */
function reluBackwardBody(fn: FunctionBuilder): Code {
  const [g, x, out, bytes] = fn.params;
  const i = fn.local("i32");
  // v128.andnot(g, x <= 0): the comparison's all-ones lanes clear g's bits
  const notPositive = vle(load(add(get(x), get(i))), zero());
  return forRange(i, i32(0), get(bytes), i32(16), store(add(get(out), get(i)), andnot(load(add(get(g), get(i))), notPositive)));
}

/** <op>(a, b, out, bytes): out = a <op> b, lane by lane. */
function binaryBody(fn: FunctionBuilder, op: (a: Code, b: Code) => Code): Code {
  const [a, b, out, bytes] = fn.params;
  const i = fn.local("i32");
  const at = (p: (typeof fn.params)[number]) => add(get(p), get(i));
  return forRange(i, i32(0), get(bytes), i32(16), store(at(out), op(load(at(a)), load(at(b)))));
}

/** <op>_rows(a, row, out, bytes, rowBytes): out = a <op> row, the row repeated every rowBytes of a. */
function rowsBody(fn: FunctionBuilder, op: (a: Code, b: Code) => Code): Code {
  const [a, row, out, bytes, rowBytes] = fn.params;
  const i = fn.local("i32");
  const j = fn.local("i32");
  const at = (p: (typeof fn.params)[number]) => add(add(get(p), get(i)), get(j));
  return forRange(i, i32(0), get(bytes), get(rowBytes),
    forRange(j, i32(0), get(rowBytes), i32(16), store(at(out), op(load(at(a)), load(add(get(row), get(j)))))));
}

/**
 * dropout(draws, x, mask, out, bytes, threshold, kept): mask = kept where the unsigned 32-bit draw
 * is ≥ threshold, else +0; out = x·mask (so NaN or ∞ in a dropped element gives NaN, as x·0 does).
 */
function dropoutBody(fn: FunctionBuilder): Code {
  const [draws, x, mask, out, bytes, threshold, kept] = fn.params;
  const i = fn.local("i32");
  const m = fn.local("v128");
  const at = (p: (typeof fn.params)[number]) => add(get(p), get(i));
  return forRange(i, i32(0), get(bytes), i32(16),
    // the comparison's all-ones lanes keep kept's bits, the others become +0
    set(m, vand(splat(get(kept)), i32x4GeU(load(at(draws)), i32x4Splat(get(threshold))))),
    store(at(mask), get(m)),
    store(at(out), vmul(load(at(x)), get(m))),
  );
}

/**
 * sum_rows(a, acc, rows, rowBytes): acc[j] += a[r][j] in float64 for every row r in order (acc
 * holds float64, two per lane pair), as a plain float64 loop over the rows adds them.
 */
function sumRowsBody(fn: FunctionBuilder): Code {
  const [a, acc, rows, rowBytes] = fn.params;
  const [r, j, row, sum] = [fn.local("i32"), fn.local("i32"), fn.local("i32"), fn.local("i32")];
  const v = fn.local("v128");
  return [
    set(row, get(a)),
    forRange(r, i32(0), get(rows), i32(1),
      forRange(j, i32(0), get(rowBytes), i32(16),
        set(v, load(add(get(row), get(j)))),
        set(sum, add(get(acc), add(get(j), get(j)))),
        store(get(sum), f64x2Add(load(get(sum)), promoteLow(get(v)))),
        store(get(sum), f64x2Add(load(get(sum), 16), promoteLow(shuffle(get(v), get(v), [2, 3, 0, 1]))), 16)),
      set(row, add(get(row), get(rowBytes)))),
  ];
}

/**
 * The element-wise module: relu, relu_backward, add/sub/mul/div and their _rows forms, dropout and
 * sum_rows, over byte addresses in an imported memory.
 */
export function buildElementwiseModule(): Uint8Array {
  const mod = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 65536 });
  const define = (name: string, params: number, body: (fn: FunctionBuilder) => Code, types: ("i32" | "f32")[] = []) => {
    const fn = new FunctionBuilder(name, [...Array<"i32">(params).fill("i32"), ...types]);
    mod.add(fn, body(fn));
  };
  define("relu", 3, reluBody);
  define("relu_backward", 4, reluBackwardBody);
  for (const kind of BINARY_KINDS) {
    define(kind, 4, (fn) => binaryBody(fn, BINARY_OPS[kind]));
    define(`${kind}_rows`, 5, (fn) => rowsBody(fn, BINARY_OPS[kind]));
  }
  define("dropout", 6, dropoutBody, ["f32"]);
  define("sum_rows", 4, sumRowsBody);
  return mod.toBytes();
}
