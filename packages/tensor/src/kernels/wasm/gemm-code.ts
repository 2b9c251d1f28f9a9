// The gemm kernels in WebAssembly, written with emitter.ts: packing of A and B into strips (with
// 4x4 in-register transposes for the transposed layouts) and an MR x NR register-tiled f32x4
// micro-kernel. The TypeScript driver that calls them is gemm.ts.

import {
  type Code,
  FunctionBuilder,
  type Local,
  type ModuleBuilder,
  add,
  block,
  brIf,
  call,
  divU,
  f32Load,
  f32Store,
  forRange,
  geS,
  get,
  i32,
  ifThen,
  inc,
  load,
  loadSplat,
  loop,
  ltS,
  mul,
  ne,
  or,
  remU,
  replaceLane,
  relaxedMadd,
  select,
  set,
  store,
  sub,
  transpose4x4,
  vadd,
  vmul,
  zero,
} from "./emitter.js";

/** Rows of A per micro-kernel strip. */
export const MR = 4;
/** Columns of B per micro-kernel strip (two f32x4 vectors). */
export const NR = 8;
/** Depth of one packed panel: a KC x NR strip of B stays in L1 while the kernel sweeps A. */
export const KC = 256;

/**
 * Adds the gemm functions to `mod`. Exports (all pointers are byte addresses, sizes in elements):
 * - `pack_a_copy`/`pack_a_transpose`(dst, src, ld, k, m): pack A into MR-row strips from a
 *   column-major (element (i,p) at p·ld+i) or row-major (i·ld+p) source;
 * - `pack_b_copy`/`pack_b_transpose`(dst, src, ld, k, n): pack B into NR-column strips from a
 *   row-major (p·ld+j) or column-major (j·ld+p) source;
 * - `pack_unit`(t, id, …PACK_UNIT_FIELDS): one piece of packing A and B, a unit of work for the
 *   thread pool (see packUnit);
 * - `gemm_unit`(t, id, …GEMM_UNIT_FIELDS): unit t of a tiled gemm job, a unit of work for the
 *   thread pool (see gemmUnit);
 * - `gemm_tile`(aPack, bPack, c, ldc, k, mPad, nPad, i0, i1, j0, j1, acc): C[i0:i1, j0:j1] = A·B,
 *   or += with acc = 1;
 * - `gemv_rows`/`gemv_columns`(x, b, y, k, n, ld): a one-row product y = x·B read from a row-major
 *   or column-major B in place (see gemvRows).
 */
export function addGemm(mod: ModuleBuilder, relaxed: boolean): GemmIndices {
  const edge = mod.add(...packEdge(), false);
  const packs: number[] = [];
  for (const [name, width] of [["a", MR], ["b", NR]] as const) {
    packs.push(mod.add(...packCopy(`pack_${name}_copy`, width, edge)));
    packs.push(mod.add(...packTranspose(`pack_${name}_transpose`, width, edge)));
  }
  const part = mod.add(...packPart(packs), false);
  mod.add(...packUnit(part));
  const micro = mod.add(...microKernel(relaxed), false);
  const tileIndex = mod.add(...tile(micro));
  mod.add(...gemmUnit(tileIndex));
  mod.add(...gemmPackUnit(part, tileIndex));
  mod.add(...gemvRows(relaxed));
  mod.add(...gemvColumns(relaxed));
  return { packATranspose: packs[1], tile: tileIndex };
}

/** Function indices of the gemm kernels that other kernels of the module call. */
export interface GemmIndices {
  packATranspose: number;
  tile: number;
}

/**
 * pack_edge(dst, src, sp, sx, kc, count, width): for p < kc writes `width` floats, element x
 * being src[p·sp + x·sx] (byte strides) for x < count and 0 after.
 */
function packEdge(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("pack_edge", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"]);
  const [dst, src, sp, sx, kc, count, width] = f.params;
  const p = f.local("i32");
  const x = f.local("i32");
  const body = forRange(p, i32(0), get(kc), i32(1),
    forRange(x, i32(0), get(width), i32(4), store(add(get(dst), mul(get(x), i32(4))), zero())),
    forRange(x, i32(0), get(count), i32(1),
      f32Store(add(get(dst), mul(get(x), i32(4))), f32Load(add(get(src), mul(get(x), get(sx)))))),
    inc(dst, mul(get(width), i32(4))),
    inc(src, get(sp)),
  );
  return [f, body];
}

/** Shared loop over KC panels and `width`-wide strips; `full` packs a whole strip. */
function panels(
  f: FunctionBuilder,
  width: number,
  pc: Local,
  full: (s: Code, kc: Local) => Code,
  edgeCall: (s: Code, kc: Local, count: Code) => Code,
): Code {
  const [, , , k, x] = f.params;
  const kc = f.local("i32");
  const s = f.local("i32");
  return forRange(pc, i32(0), get(k), i32(KC),
    set(kc, sub(get(k), get(pc))),
    ifThen(geS(get(kc), i32(KC)), set(kc, i32(KC))),
    forRange(s, i32(0), get(x), i32(width),
      ifThen(geS(get(x), add(get(s), i32(width))), full(get(s), kc), edgeCall(get(s), kc, sub(get(x), get(s))))),
  );
}

/** Packs from a source contiguous along the strip: element (p, x) at src[p·ld + x]. */
function packCopy(name: string, width: number, edge: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder(name, ["i32", "i32", "i32", "i32", "i32"]);
  const [dst, src, ld] = f.params;
  const pc = f.local("i32");
  const ptr = f.local("i32");
  const p = f.local("i32");
  const ldBytes = mul(get(ld), i32(4));
  const origin = (s: Code) => add(get(src), mul(add(mul(get(pc), get(ld)), s), i32(4)));
  const body = panels(f, width, pc,
    (s, kc) => [
      set(ptr, origin(s)),
      forRange(p, i32(0), get(kc), i32(1),
        Array.from({ length: width / 4 }, (_, g) => store(get(dst), load(get(ptr), 16 * g), 16 * g)),
        inc(dst, i32(4 * width)),
        inc(ptr, ldBytes)),
    ],
    (s, kc, count) => [call(edge, get(dst), origin(s), ldBytes, i32(4), get(kc), count, i32(width)), inc(dst, mul(get(kc), i32(4 * width)))],
  );
  return [f, body];
}

/** Packs from a source contiguous along k: element (p, x) at src[x·ld + p], 4x4 blocks transposed. */
function packTranspose(name: string, width: number, edge: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder(name, ["i32", "i32", "i32", "i32", "i32"]);
  const [dst, src, ld] = f.params;
  const pc = f.local("i32");
  const ptr = f.local("i32");
  const p = f.local("i32");
  const r = [0, 1, 2, 3].map(() => f.local("v128"));
  const t = [0, 1, 2, 3].map(() => f.local("v128"));
  const ldBytes = mul(get(ld), i32(4));
  const origin = (s: Code) => add(get(src), mul(add(mul(s, get(ld)), get(pc)), i32(4)));
  const transposed = transpose4x4(r, t);
  const transposeGroup = (g: number): Code => [
    r.map((rq, q) => set(rq, load(add(get(ptr), mul(i32(4 * g + q), ldBytes))))),
    transposed.setup,
    transposed.columns.map((column, c) => store(get(dst), column, 16 * g + 4 * c * width)),
  ];
  const body = panels(f, width, pc,
    (s, kc) => [
      set(ptr, origin(s)),
      set(p, i32(0)),
      block(brIf(0, ltS(get(kc), i32(4))), loop(
        Array.from({ length: width / 4 }, (_, g) => transposeGroup(g)),
        inc(dst, i32(16 * width)),
        inc(ptr, i32(16)),
        inc(p, i32(4)),
        brIf(0, geS(get(kc), add(get(p), i32(4)))))),
      call(edge, get(dst), get(ptr), i32(4), ldBytes, sub(get(kc), get(p)), i32(width), i32(width)),
      inc(dst, mul(sub(get(kc), get(p)), i32(4 * width))),
    ],
    (s, kc, count) => [call(edge, get(dst), origin(s), i32(4), ldBytes, get(kc), count, i32(width)), inc(dst, mul(get(kc), i32(4 * width)))],
  );
  return [f, body];
}

/** The fields of a pack_unit job, in order: where and how A and B are packed, and how they are cut. */
export const PACK_UNIT_FIELDS = [
  "aDst", "aSrc", "aLd", "aTranspose", "m", "bDst", "bSrc", "bLd", "bTranspose", "n", "k", "aGroups", "aPer", "bGroups", "bPer",
] as const;

/**
 * pack_part(u, dst, src, ld, transpose, x, k, groups, per, operand): piece u of packing one
 * operand (operand 0 is A with MR-wide strips, 1 is B with NR-wide strips). Piece u packs strips
 * [g·per, g·per + per) of KC panel u / groups, g = u mod groups, exactly where the whole pack
 * (pack_a_* / pack_b_* over all of k and x) puts them: panel pc starts at pc·xPad floats, its
 * strip s at s·kc floats after that. `transpose` names the source layout as the pack functions
 * do: for A, 1 is row-major (pack_a_transpose); for B, 1 is column-major (pack_b_transpose).
 */
function packPart(packs: readonly number[]): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("pack_part", Array<"i32">(10).fill("i32"));
  const [u, dst, src, ld, transpose, x, k, groups, per, operand] = f.params;
  const [width, xPad, pc, kc, s0, count, to, from] = [0, 0, 0, 0, 0, 0, 0, 0].map(() => f.local("i32"));
  const body: Code = [
    set(width, select(i32(NR), i32(MR), get(operand))),
    set(xPad, mul(divU(add(get(x), sub(get(width), i32(1))), get(width)), get(width))),
    set(pc, mul(divU(get(u), get(groups)), i32(KC))),
    set(kc, sub(get(k), get(pc))),
    ifThen(geS(get(kc), i32(KC)), set(kc, i32(KC))),
    set(s0, mul(mul(remU(get(u), get(groups)), get(per)), get(width))),
    set(count, sub(get(x), get(s0))),
    ifThen(geS(get(count), mul(get(per), get(width))), set(count, mul(get(per), get(width)))),
    set(to, add(get(dst), mul(add(mul(get(pc), get(xPad)), mul(get(s0), get(kc))), i32(4)))),
    // the source element (p, x) is at src[x·ld + p] when transposed, else at src[p·ld + x]
    ifThen(get(transpose),
      set(from, add(get(src), mul(add(mul(get(s0), get(ld)), get(pc)), i32(4)))),
      set(from, add(get(src), mul(add(mul(get(pc), get(ld)), get(s0)), i32(4))))),
    ifThen(ltS(i32(0), get(count)),
      ifThen(get(operand),
        ifThen(get(transpose), callPack(packs[3]), callPack(packs[2])),
        ifThen(get(transpose), callPack(packs[1]), callPack(packs[0])))),
  ];
  function callPack(fn: number): Code {
    return call(fn, get(to), get(from), get(ld), get(kc), get(count));
  }
  return [f, body];
}

/**
 * pack_unit(t, id, …PACK_UNIT_FIELDS): unit t of packing A then B, cut into ⌈k/KC⌉ panels times
 * aGroups pieces of aPer strips for A, then the same for B with bGroups and bPer.
 */
function packUnit(part: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("pack_unit", Array<"i32">(2 + PACK_UNIT_FIELDS.length).fill("i32"));
  const [t, , aDst, aSrc, aLd, aT, m, bDst, bSrc, bLd, bT, n, k, aGroups, aPer, bGroups, bPer] = f.params;
  const aUnits = f.local("i32");
  const body: Code = [
    set(aUnits, mul(divU(add(get(k), i32(KC - 1)), i32(KC)), get(aGroups))),
    ifThen(ltS(get(t), get(aUnits)),
      call(part, get(t), get(aDst), get(aSrc), get(aLd), get(aT), get(m), get(k), get(aGroups), get(aPer), i32(0)),
      call(part, sub(get(t), get(aUnits)), get(bDst), get(bSrc), get(bLd), get(bT), get(n), get(k), get(bGroups), get(bPer), i32(1))),
  ];
  return [f, body];
}

/** The multiply-add of the micro-kernel: fused with relaxed SIMD, else a rounded multiply then add. */
function multiplyAdd(relaxed: boolean): (x: Code, y: Code, z: Code) => Code {
  return (x, y, z) => (relaxed ? relaxedMadd(x, y, z) : vadd(z, vmul(x, y)));
}

/** Outputs per block of gemv_rows (8 vectors) and of gemv_columns (4 vectors). */
export const GEMV_ROWS_BLOCK = 32;
export const GEMV_COLUMNS_BLOCK = 16;

/**
 * gemv_rows(x, b, y, k, n, ld): y[j] = Σ_p x[p]·B[p, j] with B[p, j] at b[p·ld + j] (row-major),
 * for j in whole blocks of GEMV_ROWS_BLOCK (lanes past n read past B's rows and are scratch).
 * Every y[j] is the float32 sum of its k products in order p = 0, 1, …, k-1 with the micro-
 * kernel's multiply-add, so a one-row product equals that row of any larger product; B is read
 * in place, without packing (which a single row of A cannot repay).
 */
function gemvRows(relaxed: boolean): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemv_rows", Array<"i32">(6).fill("i32"));
  const [x, b, y, k, n, ld] = f.params;
  const madd = multiplyAdd(relaxed);
  const acc = Array.from({ length: GEMV_ROWS_BLOCK / 4 }, () => f.local("v128"));
  const xv = f.local("v128");
  const [j, p, row] = [f.local("i32"), f.local("i32"), f.local("i32")];
  const body = forRange(j, i32(0), get(n), i32(GEMV_ROWS_BLOCK),
    acc.map((v) => set(v, zero())),
    set(row, add(get(b), mul(get(j), i32(4)))),
    forRange(p, i32(0), get(k), i32(1),
      set(xv, loadSplat(add(get(x), mul(get(p), i32(4))))),
      acc.map((v, g) => set(v, madd(get(xv), load(get(row), 16 * g), get(v)))),
      inc(row, mul(get(ld), i32(4)))),
    acc.map((v, g) => store(add(get(y), mul(get(j), i32(4))), get(v), 16 * g)),
  );
  return [f, body];
}

/**
 * gemv_columns(x, b, y, k, n, ld): gemv_rows for a column-major B, B[p, j] at b[j·ld + p] (a
 * linear layer's weight read as Wᵀ): four rows of B at a time go through 4x4 in-register
 * transposes, so each lane still sums its products in order p = 0, 1, …; j runs in whole blocks
 * of GEMV_COLUMNS_BLOCK (rows past n are read past B and give scratch lanes).
 */
function gemvColumns(relaxed: boolean): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemv_columns", Array<"i32">(6).fill("i32"));
  const [x, b, y, k, n, ld] = f.params;
  const madd = multiplyAdd(relaxed);
  const groups = GEMV_COLUMNS_BLOCK / 4;
  const acc = Array.from({ length: groups }, () => f.local("v128"));
  const r = [0, 1, 2, 3].map(() => f.local("v128"));
  const u = [0, 1, 2, 3].map(() => f.local("v128"));
  const [j, p, base, ldBytes] = [f.local("i32"), f.local("i32"), f.local("i32"), f.local("i32")];
  // element (p, row j + q) of the block's group g, at base + ((4g + q)·ld + p)·4
  const at = (g: number, q: number, pOffset: Code): Code => add(add(get(base), mul(i32(4 * g + q), get(ldBytes))), pOffset);
  const xAt = (s: number): Code => loadSplat(add(get(x), mul(get(p), i32(4))), 4 * s);
  const transposed = transpose4x4(r, u);
  const fourSteps = (g: number): Code => [
    r.map((rq, q) => set(rq, load(at(g, q, mul(get(p), i32(4)))))),
    transposed.setup,
    transposed.columns.map((column, s) => set(acc[g], madd(xAt(s), column, get(acc[g])))),
  ];
  // the last k mod 4 steps: each lane's element loaded on its own
  const oneStep = (g: number): Code => {
    let v: Code = zero();
    for (let q = 0; q < 4; q++) v = replaceLane(v, q, f32Load(at(g, q, mul(get(p), i32(4)))));
    return set(acc[g], madd(xAt(0), v, get(acc[g])));
  };
  const body: Code = [
    set(ldBytes, mul(get(ld), i32(4))),
    forRange(j, i32(0), get(n), i32(GEMV_COLUMNS_BLOCK),
      acc.map((v) => set(v, zero())),
      set(base, add(get(b), mul(get(j), get(ldBytes)))),
      set(p, i32(0)),
      block(brIf(0, ltS(get(k), i32(4))), loop(
        Array.from({ length: groups }, (_, g) => fourSteps(g)),
        inc(p, i32(4)),
        brIf(0, geS(get(k), add(get(p), i32(4)))))),
      block(brIf(0, geS(get(p), get(k))), loop(
        Array.from({ length: groups }, (_, g) => oneStep(g)),
        inc(p, i32(1)),
        brIf(0, ltS(get(p), get(k))))),
      acc.map((v, g) => store(add(get(y), mul(get(j), i32(4))), get(v), 16 * g))),
  ];
  return [f, body];
}

/**
 * micro(a, b, c, kc, ldcBytes, accumulate): the MR x NR block of C at c (row stride ldcBytes)
 * becomes (accumulate ? C : 0) + Σ_p a[p]ᵀ·b[p] over packed strips a (kc x MR) and b (kc x NR).
 * Each C element is a float32 running sum taken in order p = 0, 1, …, kc-1.
 */
function microKernel(relaxed: boolean): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("micro", ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [a, b, c, kc, ldc, accumulate] = f.params;
  const groups = NR / 4;
  const acc = Array.from({ length: MR }, () => Array.from({ length: groups }, () => f.local("v128")));
  const bv = Array.from({ length: groups }, () => f.local("v128"));
  const av = f.local("v128");
  const row = f.local("i32");
  const eachRow = (fn: (r: number) => Code): Code =>
    Array.from({ length: MR }, (_, r) => [fn(r), inc(row, get(ldc))]);
  const madd = multiplyAdd(relaxed);
  // one step of p: C += a[p]ᵀ·b[p]
  const step = (): Code => [
    bv.map((v, g) => set(v, load(get(b), 16 * g))),
    acc.map((accRow, r) => [
      set(av, loadSplat(get(a), 4 * r)),
      accRow.map((v, g) => set(v, madd(get(av), get(bv[g]), get(v)))),
    ]),
  ];
  const body: Code = [
    set(row, get(c)),
    ifThen(get(accumulate),
      eachRow((r) => acc[r].map((v, g) => set(v, load(get(row), 16 * g)))),
      acc.flat().map((v) => set(v, zero()))),
    loop(
      step(),
      inc(a, i32(4 * MR)),
      inc(b, i32(4 * NR)),
      set(kc, sub(get(kc), i32(1))),
      brIf(0, ne(get(kc), i32(0))),
    ),
    set(row, get(c)),
    eachRow((r) => acc[r].map((v, g) => store(get(row), get(v), 16 * g))),
  ];
  return [f, body];
}

/**
 * gemm_tile(aPack, bPack, c, ldc, k, mPad, nPad, i0, i1, j0, j1, acc): computes rows [i0, i1) and
 * columns [j0, j1) of C (row stride ldc) from the packed operands, adding them to C when acc is
 * 1; i0, i1 are multiples of MR (or mPad) and j0, j1 multiples of NR (or nPad).
 */
function tile(micro: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemm_tile", Array<"i32">(12).fill("i32"));
  const [aPack, bPack, c, ldc, k, mPad, nPad, i0, i1, j0, j1, acc] = f.params;
  const [pc, kc, aPanel, bStrip, jr, ir] = [0, 0, 0, 0, 0, 0].map(() => f.local("i32"));
  const body = forRange(pc, i32(0), get(k), i32(KC),
    set(kc, sub(get(k), get(pc))),
    ifThen(geS(get(kc), i32(KC)), set(kc, i32(KC))),
    set(aPanel, add(get(aPack), mul(mul(get(pc), get(mPad)), i32(4)))),
    forRange(jr, get(j0), get(j1), i32(NR),
      set(bStrip, add(get(bPack), mul(add(mul(get(pc), get(nPad)), mul(get(jr), get(kc))), i32(4)))),
      forRange(ir, get(i0), get(i1), i32(MR),
        call(micro,
          add(get(aPanel), mul(mul(get(ir), get(kc)), i32(4))),
          get(bStrip),
          add(get(c), mul(add(mul(get(ir), get(ldc)), get(jr)), i32(4))),
          get(kc),
          mul(get(ldc), i32(4)),
          or(get(acc), ne(get(pc), i32(0)))))),
  );
  return [f, body];
}

/**
 * The fields of a gemm_unit job, in order: one gemm over packed operands, cut into tileRows x
 * tileCols tiles of C, or a batch of them. Item b reads its packed operands at aPack + b·aStep
 * and bPack + b·bStep and writes C at c + b·cStep. With `reduce` 1 (and cStep 0) the items'
 * products are summed into one C, each tile adding the items in order b = 0, 1, …; otherwise
 * every (item, tile) is a unit of work.
 */
export const GEMM_UNIT_FIELDS = [
  "aPack", "bPack", "c", "ldc", "k", "mPad", "nPad", "tileRows", "tileCols", "batch", "aStep", "bStep", "cStep", "reduce",
] as const;

/**
 * gemm_unit(t, id, …GEMM_UNIT_FIELDS): computes unit t, tiles numbered row by row of tiles (and
 * item by item unless reduced), by calling gemm_tile once per item it covers.
 */
function gemmUnit(tileFn: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemm_unit", Array<"i32">(2 + GEMM_UNIT_FIELDS.length).fill("i32"));
  const [t, , aPack, bPack, c, ldc, k, mPad, nPad, tileRows, tileCols, batch, aStep, bStep, cStep, reduce] = f.params;
  const [colTiles, tiles, first, last, u, i0, i1, j0, j1, b] = Array.from({ length: 10 }, () => f.local("i32"));
  const ceilDiv = (x: Code, y: Code): Code => divU(sub(add(x, y), i32(1)), y);
  const min = (x: Local, y: Local): Code => select(get(x), get(y), ltS(get(x), get(y)));
  const body: Code = [
    set(colTiles, ceilDiv(get(nPad), get(tileCols))),
    set(tiles, mul(ceilDiv(get(mPad), get(tileRows)), get(colTiles))),
    set(first, select(i32(0), divU(get(t), get(tiles)), get(reduce))),
    set(last, select(get(batch), add(get(first), i32(1)), get(reduce))),
    set(u, remU(get(t), get(tiles))),
    set(i0, mul(divU(get(u), get(colTiles)), get(tileRows))),
    set(j0, mul(remU(get(u), get(colTiles)), get(tileCols))),
    set(i1, add(get(i0), get(tileRows))),
    set(i1, min(i1, mPad)),
    set(j1, add(get(j0), get(tileCols))),
    set(j1, min(j1, nPad)),
    forRange(b, get(first), get(last), i32(1),
      call(tileFn,
        add(get(aPack), mul(get(b), get(aStep))),
        add(get(bPack), mul(get(b), get(bStep))),
        add(get(c), mul(get(b), get(cStep))),
        get(ldc), get(k), get(mPad), get(nPad), get(i0), get(i1), get(j0), get(j1),
        ne(get(b), get(first)))),
  ];
  return [f, body];
}

/**
 * The fields of a gemm_pack_unit job: one gemm whose tiles span all of C's rows, where each unit
 * packs the columns of B it multiplies (from bSrc, row stride bLd, bTranspose as for pack_part)
 * before computing its tile; A is packed beforehand.
 */
export const GEMM_PACK_UNIT_FIELDS = [
  "aPack", "bPack", "c", "ldc", "k", "mPad", "nPad", "tileCols", "bSrc", "bLd", "bTranspose", "n",
] as const;

/**
 * gemm_pack_unit(t, id, …GEMM_PACK_UNIT_FIELDS): packs strips [t·per, t·per + per) of B (per =
 * tileCols / NR) in every KC panel, exactly where the whole pack puts them, then computes
 * columns [t·tileCols, (t+1)·tileCols) of C over all mPad rows. No other unit reads those strips,
 * so the units need no barrier between packing and multiplying.
 */
function gemmPackUnit(part: number, tileFn: number): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("gemm_pack_unit", Array<"i32">(2 + GEMM_PACK_UNIT_FIELDS.length).fill("i32"));
  const [t, , aPack, bPack, c, ldc, k, mPad, nPad, tileCols, bSrc, bLd, bT, n] = f.params;
  const [groups, per, panel, j1] = Array.from({ length: 4 }, () => f.local("i32"));
  const body: Code = [
    set(per, divU(get(tileCols), i32(NR))),
    set(groups, divU(sub(add(get(nPad), get(tileCols)), i32(1)), get(tileCols))),
    forRange(panel, i32(0), divU(add(get(k), i32(KC - 1)), i32(KC)), i32(1),
      call(part, add(mul(get(panel), get(groups)), get(t)), get(bPack), get(bSrc), get(bLd), get(bT), get(n), get(k), get(groups), get(per), i32(1))),
    set(j1, mul(add(get(t), i32(1)), get(tileCols))),
    ifThen(ltS(get(nPad), get(j1)), set(j1, get(nPad))),
    call(tileFn, get(aPack), get(bPack), get(c), get(ldc), get(k), get(mPad), get(nPad), i32(0), get(mPad), mul(get(t), get(tileCols)), get(j1), i32(0)),
  ];
  return [f, body];
}
