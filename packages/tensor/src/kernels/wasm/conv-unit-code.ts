// Whole-image convolution units in WebAssembly, written with emitter.ts: each unit pads one image,
// packs its wide column rows straight from the padded planes through a table of row offsets (no
// unfolded copy), multiplies with the gemm of gemm-code.ts and writes its result, so that the
// thread pool (threads.ts) prepares and computes every image on one thread. The TypeScript
// drivers are conv-units.ts; the wide layout is described in kernels/wasm/conv.ts.

import {
  type Code,
  FunctionBuilder,
  type Local,
  type ModuleBuilder,
  add,
  block,
  brIf,
  call,
  dadd,
  f32,
  f32Load,
  f32Store,
  f64Store,
  f64x2Add,
  f64x2ExtractLane,
  fadd,
  fmax,
  forRange,
  geS,
  get,
  i32,
  i32Load,
  ifThen,
  inc,
  load,
  loop,
  ltS,
  memoryCopy,
  memoryFill,
  mul,
  ne,
  promote,
  promoteLow,
  select,
  set,
  shrU,
  shuffle,
  splat,
  store,
  sub,
  transpose4x4,
  vadd,
  vmax,
  zero,
} from "./emitter.js";
import { type GemmIndices, KC, NR } from "./gemm-code.js";

/**
 * Adds, all pointers being byte addresses:
 * - `conv_fwd_unit`(t, id, …CONV_FWD_FIELDS): output image t = W·cols(x[t]) + bias, then
 *   max(·, 0) when relu is 1, on thread id's scratch;
 * - `conv_wgrad_unit`(t, id, …CONV_WGRAD_FIELDS): C_t = Σ G[img]·cols(x[img])ᵀ over the images
 *   of group t, in order, on thread id's scratch; where biasSums is not 0, also the float64
 *   sum of every output-gradient plane of those images (plane_sums) at biasSums + 8·(img·o + oc).
 */
export function addConvUnits(mod: ModuleBuilder, gemm: GemmIndices, spreadRows: number): void {
  const pad = mod.add(...padImage(), false);
  const packRows = mod.add(...packBRows(), false);
  const packRowsT = mod.add(...packBRowsTransposed(), false);
  const take = mod.add(...takeWide(), false);
  const sums = mod.add(...planeSums(), false);
  mod.add(...forwardUnit(gemm, pad, packRows, take));
  mod.add(...weightGradUnit(gemm, pad, packRowsT, spreadRows, sums));
}

/** Parameters of conv_fwd_unit after (t, id), in order. */
export const CONV_FWD_FIELDS = [
  "src", "imageBytes", "c", "h", "w", "ph", "pw", "table", "k", "n", "nPad", "aPack", "mPad",
  "scratch", "scratchBytes", "bOffset", "cOffset", "out", "outBytes", "o", "oh", "ow", "bias", "relu",
] as const;

/** Parameters of conv_wgrad_unit after (t, id), in order. */
export const CONV_WGRAD_FIELDS = [
  "gsrc", "gradBytes", "o", "oh", "ow", "p", "xsrc", "imageBytes", "c", "h", "w", "ph", "pw",
  "table", "k", "mPad", "nPad", "scratch", "scratchBytes", "aOffset", "aPackOffset", "bOffset",
  "sums", "sumBytes", "group", "images", "biasSums",
] as const;

/**
 * plane_sums(dst, src, planes, size): for each of `planes` contiguous runs of `size` float32 at
 * src, writes a float64 sum to dst: four running sums of the elements i ≡ 0, 1, 2, 3 (mod 4) up
 * to the last multiple of 4, added as (s0 + s1) + (s2 + s3), then the remaining elements in order
 * (the order of kernels/conv.ts's planeSum).
 */
function planeSums(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("plane_sums", Array<"i32">(4).fill("i32"));
  const [dst, src, planes, size] = f.params;
  const [plane, i, quads] = [0, 0, 0].map(() => f.local("i32"));
  const [v, low, high] = [0, 0, 0].map(() => f.local("v128"));
  const s = f.local("f64");
  const body: Code = [
    set(quads, mul(shrU(get(size), i32(2)), i32(4))),
    forRange(plane, i32(0), get(planes), i32(1),
      set(low, zero()),
      set(high, zero()),
      forRange(i, i32(0), get(quads), i32(4),
        set(v, load(get(src))),
        set(low, f64x2Add(get(low), promoteLow(get(v)))),
        set(high, f64x2Add(get(high), promoteLow(shuffle(get(v), get(v), [2, 3, 2, 3])))),
        inc(src, i32(16))),
      set(s, dadd(dadd(f64x2ExtractLane(get(low), 0), f64x2ExtractLane(get(low), 1)),
        dadd(f64x2ExtractLane(get(high), 0), f64x2ExtractLane(get(high), 1)))),
      forRange(i, get(quads), get(size), i32(1),
        set(s, dadd(get(s), promote(f32Load(get(src))))),
        inc(src, i32(4))),
      f64Store(get(dst), get(s)),
      inc(dst, i32(8))),
  ];
  return [f, body];
}

function params(f: FunctionBuilder, names: readonly string[]): Record<string, Local> {
  return Object.fromEntries(names.map((name, i) => [name, f.params[i + 2]]));
}

/**
 * pad_image(dst, src, c, h, w, ph, pw): writes the c contiguous h×w planes at src as
 * (h + 2ph)×(w + 2pw) planes at dst with zeros around.
 */
function padImage(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("pad_image", Array<"i32">(7).fill("i32"));
  const [dst, src, c, h, w, ph, pw] = f.params;
  const [ci, y, rowBytes, padBytes, edgeBytes] = [0, 0, 0, 0, 0].map(() => f.local("i32"));
  const body: Code = [
    set(padBytes, mul(get(pw), i32(4))),
    set(rowBytes, mul(get(w), i32(4))),
    // zero rows above (and the left pad of the first row), below (and the last right pad)
    set(edgeBytes, add(mul(get(ph), add(get(rowBytes), mul(get(padBytes), i32(2)))), get(padBytes))),
    forRange(ci, i32(0), get(c), i32(1),
      memoryFill(get(dst), i32(0), get(edgeBytes)),
      inc(dst, get(edgeBytes)),
      forRange(y, i32(0), get(h), i32(1),
        memoryCopy(get(dst), get(src), get(rowBytes)),
        inc(dst, get(rowBytes)),
        inc(src, get(rowBytes)),
        ifThen(ltS(get(y), sub(get(h), i32(1))), [
          memoryFill(get(dst), i32(0), mul(get(padBytes), i32(2))),
          inc(dst, mul(get(padBytes), i32(2))),
        ])),
      memoryFill(get(dst), i32(0), get(edgeBytes)),
      inc(dst, get(edgeBytes))),
  ];
  return [f, body];
}

/** Sets kc to min(KC, k − pc). */
const panelDepth = (kc: Local, k: Local, pc: Local): Code => [
  set(kc, sub(get(k), get(pc))),
  ifThen(geS(get(kc), i32(KC)), set(kc, i32(KC))),
];

/**
 * pack_b_rows(dst, base, table, k, n): packs the k×n matrix whose row r is the run of floats at
 * base + table[r] into the NR-column strips of pack_b_copy.
 */
function packBRows(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("pack_b_rows", Array<"i32">(5).fill("i32"));
  const [dst, base, table, k, n] = f.params;
  const [pc, kc, s, r, ptr, x] = [0, 0, 0, 0, 0, 0].map(() => f.local("i32"));
  const row = (): Code => set(ptr, add(add(get(base), i32Load(add(get(table), mul(add(get(pc), get(r)), i32(4))))), mul(get(s), i32(4))));
  const body: Code = forRange(pc, i32(0), get(k), i32(KC),
    panelDepth(kc, k, pc),
    forRange(s, i32(0), get(n), i32(NR),
      ifThen(geS(get(n), add(get(s), i32(NR))),
        forRange(r, i32(0), get(kc), i32(1),
          row(),
          store(get(dst), load(get(ptr))),
          store(get(dst), load(get(ptr), 16), 16),
          inc(dst, i32(4 * NR))),
        forRange(r, i32(0), get(kc), i32(1),
          row(),
          store(get(dst), zero()),
          store(get(dst), zero(), 16),
          forRange(x, i32(0), sub(get(n), get(s)), i32(1),
            f32Store(add(get(dst), mul(get(x), i32(4))), f32Load(add(get(ptr), mul(get(x), i32(4)))))),
          inc(dst, i32(4 * NR))))),
  );
  return [f, body];
}

/**
 * pack_b_rows_t(dst, base, table, k, n): packs the k×n matrix whose column x is the run of
 * floats at base + table[x] into the NR-column strips of pack_b_transpose (4×4 blocks
 * transposed in registers).
 */
function packBRowsTransposed(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("pack_b_rows_t", Array<"i32">(5).fill("i32"));
  const [dst, base, table, k, n] = f.params;
  const [pc, kc, s, p, x] = [0, 0, 0, 0, 0].map(() => f.local("i32"));
  const rows = Array.from({ length: NR }, () => f.local("i32"));
  const v = [0, 1, 2, 3].map(() => f.local("v128"));
  const t = [0, 1, 2, 3].map(() => f.local("v128"));
  const transposed = transpose4x4(v, t);
  const column = (q: Code): Code => add(get(base), i32Load(add(get(table), mul(q, i32(4)))));
  // four k-steps of columns 4g … 4g+3 become four rows of the strip
  const group = (g: number): Code => [
    v.map((vq, q) => set(vq, load(get(rows[4 * g + q])))),
    transposed.setup,
    transposed.columns.map((column, c) => store(get(dst), column, 16 * g + 4 * c * NR)),
  ];
  const full: Code = [
    rows.map((rq, q) => set(rq, add(column(add(get(s), i32(q))), mul(get(pc), i32(4))))),
    set(p, i32(0)),
    block(brIf(0, ltS(get(kc), i32(4))), loop(
      group(0),
      group(1),
      inc(dst, i32(16 * NR)),
      rows.map((rq) => inc(rq, i32(16))),
      inc(p, i32(4)),
      brIf(0, geS(get(kc), add(get(p), i32(4)))))),
    forRange(p, get(p), get(kc), i32(1),
      rows.map((rq, q) => [f32Store(get(dst), f32Load(get(rq)), 4 * q), inc(rq, i32(4))]),
      inc(dst, i32(4 * NR))),
  ];
  const edge: Code = forRange(p, i32(0), get(kc), i32(1),
    store(get(dst), zero()),
    store(get(dst), zero(), 16),
    forRange(x, i32(0), sub(get(n), get(s)), i32(1),
      f32Store(add(get(dst), mul(get(x), i32(4))), f32Load(add(column(add(get(s), get(x))), mul(add(get(pc), get(p)), i32(4)))))),
    inc(dst, i32(4 * NR)));
  const body: Code = forRange(pc, i32(0), get(k), i32(KC),
    panelDepth(kc, k, pc),
    forRange(s, i32(0), get(n), i32(NR), ifThen(geS(get(n), add(get(s), i32(NR))), full, edge)));
  return [f, body];
}

/**
 * take_wide(dst, src, o, oh, ow, ldcBytes, wpBytes, bias, relu): writes the o wide rows at src
 * (row stride ldcBytes, output row stride wpBytes inside them) as o contiguous oh×ow planes at
 * dst, adding bias[oc] (float32) to plane oc, or 0 when bias is 0; with relu 1, each value then
 * becomes max(value, 0) (NaN stays NaN, −0 becomes +0, as relu does), else max(value, −∞).
 */
function takeWide(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("take_wide", Array<"i32">(9).fill("i32"));
  const [dst, src, o, oh, ow, ldc, wp, bias, relu] = f.params;
  const [oc, oy, x, row] = [0, 0, 0, 0].map(() => f.local("i32"));
  const b = f.local("f32");
  const floor = f.local("f32");
  const bv = f.local("v128");
  const floorV = f.local("v128");
  const body: Code = [
    set(floor, select(f32(0), f32(-Infinity), get(relu))),
    set(floorV, splat(get(floor))),
    forRange(oc, i32(0), get(o), i32(1),
    set(b, f32(0)),
    ifThen(ne(get(bias), i32(0)), set(b, f32Load(add(get(bias), mul(get(oc), i32(4)))))),
    set(bv, splat(get(b))),
    set(row, add(get(src), mul(get(oc), get(ldc)))),
    forRange(oy, i32(0), get(oh), i32(1),
      set(x, i32(0)),
      block(brIf(0, ltS(get(ow), i32(4))), loop(
        store(get(dst), vmax(vadd(load(add(get(row), mul(get(x), i32(4)))), get(bv)), get(floorV))),
        inc(dst, i32(16)),
        inc(x, i32(4)),
        brIf(0, geS(get(ow), add(get(x), i32(4)))))),
      forRange(x, get(x), get(ow), i32(1),
        f32Store(get(dst), fmax(fadd(f32Load(add(get(row), mul(get(x), i32(4)))), get(b)), get(floor))),
        inc(dst, i32(4))),
      inc(row, get(wp)))),
  ];
  return [f, body];
}

function forwardUnit(gemm: GemmIndices, pad: number, packRows: number, take: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("conv_fwd_unit", Array<"i32">(2 + CONV_FWD_FIELDS.length).fill("i32"));
  const [t, id] = f.params;
  const q = params(f, CONV_FWD_FIELDS);
  const base = f.local("i32");
  const g = (name: (typeof CONV_FWD_FIELDS)[number]): Code => get(q[name]);
  const body: Code = [
    set(base, add(g("scratch"), mul(get(id), g("scratchBytes")))),
    call(pad, get(base), add(g("src"), mul(get(t), g("imageBytes"))), g("c"), g("h"), g("w"), g("ph"), g("pw")),
    call(packRows, add(get(base), g("bOffset")), get(base), g("table"), g("k"), g("n")),
    call(gemm.tile, g("aPack"), add(get(base), g("bOffset")), add(get(base), g("cOffset")), g("nPad"), g("k"),
      g("mPad"), g("nPad"), i32(0), g("mPad"), i32(0), g("nPad"), i32(0)),
    call(take, add(g("out"), mul(get(t), g("outBytes"))), add(get(base), g("cOffset")), g("o"), g("oh"), g("ow"),
      mul(g("nPad"), i32(4)), mul(add(g("w"), mul(g("pw"), i32(2))), i32(4)), g("bias"), g("relu")),
  ];
  return [f, body];
}

function weightGradUnit(gemm: GemmIndices, pad: number, packRowsT: number, spread: number, sums: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("conv_wgrad_unit", Array<"i32">(2 + CONV_WGRAD_FIELDS.length).fill("i32"));
  const [t, id] = f.params;
  const q = params(f, CONV_WGRAD_FIELDS);
  const [base, first, last, img, oc, plane] = [0, 0, 0, 0, 0, 0].map(() => f.local("i32"));
  const g = (name: (typeof CONV_WGRAD_FIELDS)[number]): Code => get(q[name]);
  const wpBytes = mul(add(g("w"), mul(g("pw"), i32(2))), i32(4));
  const body: Code = [
    set(base, add(g("scratch"), mul(get(id), g("scratchBytes")))),
    set(first, mul(get(t), g("group"))),
    set(last, add(get(first), g("group"))),
    ifThen(geS(get(last), g("images")), set(last, g("images"))),
    set(plane, mul(mul(g("oh"), g("ow")), i32(4))),
    forRange(img, get(first), get(last), i32(1),
      ifThen(ne(g("biasSums"), i32(0)),
        call(sums, add(g("biasSums"), mul(mul(get(img), g("o")), i32(8))), add(g("gsrc"), mul(get(img), g("gradBytes"))),
          g("o"), mul(g("oh"), g("ow")))),
      // A: the image's output gradient as o wide rows of p floats (zeros in the gaps), packed
      forRange(oc, i32(0), g("o"), i32(1),
        call(spread, add(add(get(base), g("aOffset")), mul(mul(get(oc), g("p")), i32(4))),
          add(add(g("gsrc"), mul(get(img), g("gradBytes"))), mul(get(oc), get(plane))),
          g("oh"), mul(g("ow"), i32(4)), wpBytes, mul(g("ow"), i32(4)))),
      call(gemm.packATranspose, add(get(base), g("aPackOffset")), add(get(base), g("aOffset")), g("p"), g("p"), g("o")),
      // B: the padded image's wide rows, read in place as the columns of colsᵀ
      call(pad, get(base), add(g("xsrc"), mul(get(img), g("imageBytes"))), g("c"), g("h"), g("w"), g("ph"), g("pw")),
      call(packRowsT, add(get(base), g("bOffset")), get(base), g("table"), g("p"), g("k")),
      call(gemm.tile, add(get(base), g("aPackOffset")), add(get(base), g("bOffset")), add(g("sums"), mul(get(t), g("sumBytes"))),
        g("nPad"), g("p"), g("mPad"), g("nPad"), i32(0), g("mPad"), i32(0), g("nPad"), ne(get(img), get(first)))),
  ];
  return [f, body];
}
