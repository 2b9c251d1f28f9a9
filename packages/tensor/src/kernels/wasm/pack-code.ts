// The packing kernels of the gemm in WebAssembly, written with emitter.ts: A into MR-row strips and
// B into NR-column strips, KC deep, from either layout (with 4x4 in-register transposes for the
// transposed ones), whole or in pieces that the thread pool runs as units. gemm-code.ts multiplies
// the packed strips.

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
  loop,
  ltS,
  mul,
  remU,
  select,
  set,
  store,
  sub,
  transpose4x4,
  zero,
} from "./emitter.js";

/** Rows of A per micro-kernel strip. */
export const MR = 4;
/** Columns of B per micro-kernel strip (two f32x4 vectors). */
export const NR = 8;
/** Depth of one packed panel: a KC x NR strip of B stays in L1 while the kernel sweeps A. */
export const KC = 256;

/**
 * Adds the packing functions to `mod` (see addGemm for their exports) and returns the indices of
 * pack_a_copy, pack_a_transpose, pack_b_copy, pack_b_transpose, and of pack_part.
 */
export function addPacking(mod: ModuleBuilder): { packs: number[]; part: number } {
  const edge = mod.add(...packEdge(), false);
  const packs: number[] = [];
  for (const [name, width] of [["a", MR], ["b", NR]] as const) {
    packs.push(mod.add(...packCopy(`pack_${name}_copy`, width, edge)));
    packs.push(mod.add(...packTranspose(`pack_${name}_transpose`, width, edge)));
  }
  const part = mod.add(...packPart(packs), false);
  mod.add(...packUnit(part));
  return { packs, part };
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

