// Convolution helpers in WebAssembly, written with emitter.ts: spreading rows of an image into a
// zero-padded plane, and unfolding such a plane into the "wide" column rows that
// kernels/wasm/conv.ts multiplies with the gemm of gemm-code.ts. Pointers are byte addresses.

import {
  type Code,
  FunctionBuilder,
  type ModuleBuilder,
  add,
  forRange,
  get,
  i32,
  ifThen,
  inc,
  ltS,
  memoryCopy,
  memoryFill,
  mul,
  set,
  sub,
} from "./emitter.js";

/**
 * Adds to `mod` (and returns spread_rows' index):
 * - `unfold_wide`(dst, src, c, kh, kw, rowBytes, planeBytes, rowLength): for every channel ci and
 *   kernel offset (i, j) in that order, copies rowLength bytes from
 *   src + ci·planeBytes + i·rowBytes + 4·j to the next row at dst;
 * - `spread_rows`(dst, src, rows, length, dstStride, srcStride): copies `rows` rows of `length`
 *   bytes from stride srcStride to stride dstStride, zeroing the gap after each row but the last.
 */
export function addConv(mod: ModuleBuilder): { spreadRows: number } {
  mod.add(...unfoldWide());
  return { spreadRows: mod.add(...spreadRows()) };
}

function unfoldWide(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("unfold_wide", Array<"i32">(8).fill("i32"));
  const [dst, src, c, kh, kw, rowBytes, planeBytes, rowLength] = f.params;
  const [ci, i, j, from] = [0, 0, 0, 0].map(() => f.local("i32"));
  const body: Code = forRange(ci, i32(0), get(c), i32(1),
    forRange(i, i32(0), get(kh), i32(1),
      set(from, add(add(get(src), mul(get(ci), get(planeBytes))), mul(get(i), get(rowBytes)))),
      forRange(j, i32(0), get(kw), i32(1),
        memoryCopy(get(dst), get(from), get(rowLength)),
        inc(dst, get(rowLength)),
        inc(from, i32(4)))));
  return [f, body];
}

function spreadRows(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("spread_rows", Array<"i32">(6).fill("i32"));
  const [dst, src, rows, length, dstStride, srcStride] = f.params;
  const r = f.local("i32");
  const body: Code = forRange(r, i32(0), get(rows), i32(1),
    memoryCopy(get(dst), get(src), get(length)),
    ifThen(ltS(get(r), sub(get(rows), i32(1))),
      memoryFill(add(get(dst), get(length)), i32(0), sub(get(dstStride), get(length)))),
    inc(dst, get(dstStride)),
    inc(src, get(srcStride)));
  return [f, body];
}
