// Adam's element loop for float32 parameters in WebAssembly SIMD, four elements at a time (the
// driver is adam.ts).
//
// The arithmetic is PyTorch's single-tensor float32 AdamW, operation by operation, each rounded
// to float32:
//   θ ← θ·decay;  m ← m + (1 − β1)·(g − m);  v ← β2·v + ((1 − β2)·g)·g
//   θ ← θ + (−stepSize)·(m / (√v / √(1 − β2^t) + eps))

import {
  add,
  FunctionBuilder,
  forRange,
  get,
  i32,
  load,
  ModuleBuilder,
  set,
  splat,
  store,
  vadd,
  vdiv,
  vmul,
  vsqrt,
  vsub,
  type Code,
} from "./emitter.js";

/** adam(θ, g, m, v, bytes, decay, 1−β1, β2, 1−β2, −stepSize, √bc2, eps) over byte addresses. */
export function buildAdamModule(): Uint8Array {
  const fn = new FunctionBuilder("adam", ["i32", "i32", "i32", "i32", "i32", "f32", "f32", "f32", "f32", "f32", "f32", "f32"]);
  const [p, g, m, v, bytes, decay, c1, b2, c2, negStep, bc2, eps] = fn.params;
  const i = fn.local("i32");
  const [sDecay, sC1, sB2, sC2, sNeg, sBc2, sEps, gi, mi, vi] = Array.from({ length: 10 }, () => fn.local("v128"));
  const at = (base: typeof p): Code => add(get(base), get(i));
  const body: Code = [
    ...[decay, c1, b2, c2, negStep, bc2, eps].map((s, k) => set([sDecay, sC1, sB2, sC2, sNeg, sBc2, sEps][k], splat(get(s)))),
    forRange(i, i32(0), get(bytes), i32(16),
      set(gi, load(at(g))),
      set(mi, load(at(m))),
      set(mi, vadd(get(mi), vmul(get(sC1), vsub(get(gi), get(mi))))),
      store(at(m), get(mi)),
      set(vi, vadd(vmul(get(sB2), load(at(v))), vmul(vmul(get(sC2), get(gi)), get(gi)))),
      store(at(v), get(vi)),
      store(at(p), vadd(
        vmul(load(at(p)), get(sDecay)),
        vmul(get(sNeg), vdiv(get(mi), vadd(vdiv(vsqrt(get(vi)), get(sBc2)), get(sEps)))),
      )),
    ),
  ];
  const mod = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 65536 });
  mod.add(fn, body);
  return mod.toBytes();
}

