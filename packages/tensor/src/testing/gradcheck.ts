// gradcheck: compares autograd's gradients with central finite differences in float64.

import { TensorError } from "../errors.js";
import { Rng } from "../rng.js";
import { checkShape, formatShape, type Shape } from "../shape.js";
import { makeStorage } from "../storage.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/grad-mode.js";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed for the random inputs made from shapes and for the output weights (default 0). */
  seed?: number;
  /** Range of random inputs made from shapes (default [-2, 2]). */
  domain?: [number, number];
  /** Throw a TensorError on failure (default true); otherwise return the report. */
  raise?: boolean;
}

export interface GradcheckReport {
  ok: boolean;
  /** The worst element over all inputs: where analytic and numeric gradients differ most. */
  worst: { input: number; index: number; analytic: number; numeric: number; error: number } | null;
  message: string;
}

/**
 * Checks the gradients of `fn` at `inputs` (tensors, or shapes to fill with random values) against
 * central differences (f(x+eps) − f(x−eps)) / 2eps, in float64. Shapes become random inputs that
 * are checked; float tensors are copied to float64 and checked when they require grad. A non-scalar output is reduced as
 * Σ f(x)·w with fixed random weights w. Throws (or returns, with `raise: false`) a report naming
 * the input and the worst element.
 * @example
 * gradcheck((a, b) => a.mul(b).sum(), [[2, 3], [2, 3]]);
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly (Tensor | Shape)[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0, domain = [-2, 2], raise = true } = opts;
  const rng = new Rng(seed);
  const xs = inputs.map((x) => toFloat64Leaf(x, rng, domain));
  const out = fn(...xs);
  const weights = randomLike(out.shape, rng, [-1, 1]);
  const objective = (t: Tensor): Tensor => (t.size === 1 ? t.sum() : t.mul(weights).sum());
  objective(out).backward();

  type Row = NonNullable<GradcheckReport["worst"]>;
  let worst: Row | null = null;
  let failure: Row | null = null;
  for (let input = 0; input < xs.length; input++) {
    const x = xs[input];
    if (!x.requiresGrad) continue;
    const data = x.storage.data;
    const analytic = x.grad ? x.grad.dataSync() : new Float64Array(x.size);
    for (let index = 0; index < x.size; index++) {
      const original = data[index];
      data[index] = original + eps;
      const plus = noGrad(() => objective(fn(...xs)).item());
      data[index] = original - eps;
      const minus = noGrad(() => objective(fn(...xs)).item());
      data[index] = original;
      const numeric = (plus - minus) / (2 * eps);
      const error = Math.abs(analytic[index] - numeric);
      const row = { input, index, analytic: analytic[index], numeric, error };
      if (!(error <= atol + rtol * Math.abs(numeric)) && failure === null) failure = row;
      if (worst === null || !(error <= worst.error)) worst = row;
    }
  }
  const w = failure ?? worst;
  const where = w
    ? `input ${w.input} ${formatShape(xs[w.input].shape)}, element ${w.index}: analytic ${w.analytic}, numeric ${w.numeric}`
    : "no input requires grad";
  const ok = failure === null;
  const message = ok ? `gradcheck passed (worst ${where})` : `gradcheck: gradients differ at ${where}`;
  if (!ok && raise) throw new TensorError(message);
  return { ok, worst, message };
}

function toFloat64Leaf(x: Tensor | Shape, rng: Rng, domain: [number, number]): Tensor {
  // a float tensor is copied to float64 and checked when it requires grad (as torch.autograd.gradcheck)
  if (x instanceof Tensor) {
    if (x.dtype === "int32") return x;
    return new Tensor(makeStorage(Float64Array.from(x.dataSync()), "float64", x.shape), x.requiresGrad);
  }
  return randomLike(checkShape("gradcheck", x), rng, domain, true);
}

function randomLike(shape: Shape, rng: Rng, [lo, hi]: [number, number], requiresGrad = false): Tensor {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return new Tensor(makeStorage(data, "float64", shape), requiresGrad);
}
