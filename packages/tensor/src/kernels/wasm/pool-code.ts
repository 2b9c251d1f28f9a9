// Max pooling in WebAssembly, written with emitter.ts: 2×2 stride-2 windows, four windows per
// SIMD step, for kernels/pool.ts. Comparisons run in the same order as the scalar loop there.

import {
  type Code,
  FunctionBuilder,
  type Local,
  type ModuleBuilder,
  add,
  bitselect,
  call,
  f32Load,
  f32Store,
  fgt,
  fne,
  forRange,
  get,
  i32,
  i32Store,
  i32x4Add,
  i32x4Const,
  i32x4Splat,
  ifThen,
  inc,
  load,
  ltS,
  mul,
  or,
  select,
  set,
  shrU,
  shuffle,
  store,
  sub,
  vgt,
  vne,
  vor,
} from "./emitter.js";

/**
 * Adds `max_pool_2x2`(src, dst, idx, first, planes, h, w): for the contiguous h×w float32 planes
 * first … first + planes − 1 at src, the maximum of every 2×2 stride-2 window to dst and the
 * element index (from src) of its winner to idx (int32), windows in row-major order. The top-left
 * element leads; top right, bottom left and bottom right in turn take the lead when greater or
 * NaN, as in kernels/pool.ts. And `max_pool_unit`(t, id, src, dst, idx, per, planes, h, w): the
 * same for planes t·per … (at most per, of `planes`), writing at their place in dst and idx, a
 * unit of work for the thread pool. Pointers are byte addresses.
 */
export function addPool(mod: ModuleBuilder): void {
  const pool = mod.add(...maxPool());
  const f = new FunctionBuilder("max_pool_unit", Array<"i32">(9).fill("i32"));
  const [t, , src, dst, idx, per, planes, h, w] = f.params;
  const [first, count, outBytes] = [f.local("i32"), f.local("i32"), f.local("i32")];
  mod.add(f, [
    set(first, mul(get(t), get(per))),
    set(count, sub(get(planes), get(first))),
    ifThen(ltS(get(per), get(count)), set(count, get(per))),
    set(outBytes, mul(mul(mul(shrU(get(h), i32(1)), shrU(get(w), i32(1))), get(first)), i32(4))),
    call(pool, get(src), add(get(dst), get(outBytes)), add(get(idx), get(outBytes)), get(first), get(count), get(h), get(w)),
  ]);
}

function maxPool(): [FunctionBuilder, Code] {
  const f = new FunctionBuilder("max_pool_2x2", Array<"i32">(7).fill("i32"));
  const [src, dst, idx, firstPlane, planes, h, w] = f.params;
  const [plane, oy, ox, top, oh, ow, first] = [0, 0, 0, 0, 0, 0, 0].map(() => f.local("i32"));
  const [r0, r1, s0, s1, best, at, lead, m] = [0, 0, 0, 0, 0, 0, 0, 0].map(() => f.local("v128"));
  const [sat, sm] = [f.local("i32"), f.local("i32")];
  const [sbest, sv] = [f.local("f32"), f.local("f32")];
  const byteAt = (element: Code): Code => add(get(src), mul(element, i32(4)));
  // four windows at once: lane q is window ox + q; the candidate's index is lead + delta
  const step = (v: Local, delta: Code): Code => [
    set(m, vor(vgt(get(v), get(best)), vne(get(v), get(v)))),
    set(best, bitselect(get(v), get(best), get(m))),
    set(at, bitselect(i32x4Add(get(lead), i32x4Splat(delta)), get(at), get(m))),
  ];
  const vector: Code = [
    set(first, add(get(top), mul(get(ox), i32(2)))),
    set(r0, load(byteAt(get(first)))),
    set(r1, load(byteAt(get(first)), 16)),
    set(s0, load(byteAt(add(get(first), get(w))))),
    set(s1, load(byteAt(add(get(first), get(w))), 16)),
    // even lanes of a row pair are the windows' left elements, odd lanes their right ones
    set(best, shuffle(get(r0), get(r1), [0, 2, 4, 6])),
    set(r1, shuffle(get(r0), get(r1), [1, 3, 5, 7])),
    set(m, shuffle(get(s0), get(s1), [1, 3, 5, 7])),
    set(s0, shuffle(get(s0), get(s1), [0, 2, 4, 6])),
    set(s1, get(m)),
    set(lead, i32x4Add(i32x4Splat(get(first)), i32x4Const([0, 2, 4, 6]))),
    set(at, get(lead)),
    step(r1, i32(1)),
    step(s0, get(w)),
    step(s1, add(get(w), i32(1))),
    store(get(dst), get(best)),
    store(get(idx), get(at)),
    inc(dst, i32(16)),
    inc(idx, i32(16)),
  ];
  const scalarStep = (element: Code): Code => [
    set(sv, f32Load(byteAt(element))),
    set(sm, or(fgt(get(sv), get(sbest)), fne(get(sv), get(sv)))),
    set(sbest, select(get(sv), get(sbest), get(sm))),
    set(sat, select(element, get(sat), get(sm))),
  ];
  const scalar: Code = [
    set(first, add(get(top), mul(get(ox), i32(2)))),
    set(sat, get(first)),
    set(sbest, f32Load(byteAt(get(first)))),
    scalarStep(add(get(first), i32(1))),
    scalarStep(add(get(first), get(w))),
    scalarStep(add(add(get(first), get(w)), i32(1))),
    f32Store(get(dst), get(sbest)),
    i32Store(get(idx), get(sat)),
    inc(dst, i32(4)),
    inc(idx, i32(4)),
  ];
  const body: Code = [
    set(oh, shrU(get(h), i32(1))),
    set(ow, shrU(get(w), i32(1))),
    forRange(plane, get(firstPlane), add(get(firstPlane), get(planes)), i32(1),
      forRange(oy, i32(0), get(oh), i32(1),
        set(top, add(mul(get(plane), mul(get(h), get(w))), mul(mul(get(oy), i32(2)), get(w)))),
        forRange(ox, i32(0), sub(get(ow), i32(3)), i32(4), vector),
        forRange(ox, get(ox), get(ow), i32(1), scalar))),
  ];
  return [f, body];
}
