// gradcheck: compares autograd's gradients with central finite differences in float64.

import { noGrad } from "../autograd/grad-mode.js";
import { TensorError } from "../errors.js";
import { Rng } from "../rng.js";
import { checkShape, contiguousStrides, formatShape, sizeOf, type Shape } from "../shape.js";
import { makeStorage } from "../storage.js";
import { Tensor } from "../tensor.js";

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, times |numeric| (default 1e-3). */
  rtol?: number;
  /** Seed for the random inputs made from shapes and for the output weights (default 0). */
  seed?: number;
  /** Range of random inputs made from shapes (default [-2, 2]). */
  domain?: readonly [number, number];
  /** Names the function in the report (default "gradcheck"). */
  name?: string;
  /** Throw a TensorError on failure (default true); otherwise return the report. */
  raise?: boolean;
}

/** One element's analytic and numeric gradient. */
export interface GradcheckElement {
  /** Which input (its position in `inputs`). */
  input: number;
  /** The element's flat (row-major) index in that input. */
  index: number;
  /** The element's index in each dim, e.g. [1, 2]. */
  position: number[];
  /** The gradient `backward()` computed. */
  analytic: number;
  /** The central-difference estimate (f(x+eps) − f(x−eps)) / 2eps. */
  numeric: number;
  /** |analytic − numeric|. */
  error: number;
}

/** What `gradcheck` found. */
export interface GradcheckReport {
  /** True when every element is within tolerance. */
  ok: boolean;
  /**
   * The element that is furthest out of tolerance (relative to atol + rtol·|numeric|), or null
   * when no input requires grad.
   */
  worst: GradcheckElement | null;
  /** A one-line summary; on failure it names the input, element and both values. */
  message: string;
}

/**
 * Checks the gradients of `fn` at `inputs` against central differences
 * (f(x+eps) − f(x−eps)) / 2eps in float64, like `torch.autograd.gradcheck`. A shape becomes a
 * random float64 input in `domain` that is checked; a float tensor is copied to float64 and
 * checked when it requires grad; an int32 tensor is passed as is. A non-scalar output is reduced
 * as Σ f(x)·w with fixed random weights w. An element passes when
 * |analytic − numeric| <= atol + rtol·|numeric|. On failure it throws a TensorError (or, with
 * `raise: false`, returns a report) naming the input, the worst element and both values.
 * @example
 * gradcheck((a, b) => a.mul(b).sum(), [[2, 3], [2, 3]]);
 * gradcheck((x) => x.log(), [[4]], { domain: [0.1, 2] });
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly (Tensor | Shape)[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0, domain = [-2, 2] } = opts;
  const { name = "gradcheck", raise = true } = opts;
  const rng = new Rng(seed);
  const xs = inputs.map((x) => toFloat64Leaf(name, x, rng, domain));
  const out = fn(...xs);
  if (!(out instanceof Tensor)) {
    throw new TensorError(`${name}: the function must return a tensor, got ${typeof out}`);
  }
  const weights = randomLike(out.shape, rng, [-1, 1]);
  const objective = (t: Tensor): Tensor => (t.size === 1 ? t.sum() : t.mul(weights).sum());
  const loss = objective(out);
  if (loss.requiresGrad) loss.backward(); // else every analytic gradient is 0

  let worst: GradcheckElement | null = null;
  let worstExcess = -Infinity;
  xs.forEach((x, input) => {
    if (!x.requiresGrad) return;
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
      // > 1 fails; NaN (a NaN gradient on either side) fails too
      const excess = error / (atol + rtol * Math.abs(numeric));
      if (worst === null || !(excess <= worstExcess)) {
        const position = unravel(index, x.shape);
        worst = { input, index, position, analytic: analytic[index], numeric, error };
        worstExcess = Number.isNaN(excess) ? Infinity : excess;
      }
    }
  });
  const ok = worstExcess <= 1;
  const message = report(name, worst, ok, xs);
  if (!ok && raise) throw new TensorError(message);
  return { ok, worst, message };
}

function report(name: string, w: GradcheckElement | null, ok: boolean, xs: Tensor[]): string {
  if (w === null) return `${name}: no input requires grad, nothing was checked`;
  const where = `input ${w.input} ${formatShape(xs[w.input].shape)}, element ${formatShape(w.position)}`;
  const values = `analytic ${w.analytic}, numeric ${w.numeric}`;
  return ok
    ? `${name}: gradients match (closest call: ${where}: ${values})`
    : `${name}: gradients differ at ${where}: ${values}`;
}

function unravel(index: number, shape: Shape): number[] {
  return contiguousStrides(shape).map((s, i) => Math.floor(index / s) % shape[i]);
}

function toFloat64Leaf(
  name: string,
  x: Tensor | Shape,
  rng: Rng,
  domain: readonly [number, number],
): Tensor {
  if (x instanceof Tensor) {
    if (x.dtype === "int32") return x;
    const data = Float64Array.from(x.dataSync());
    return new Tensor(makeStorage(data, "float64", x.shape), x.requiresGrad);
  }
  return randomLike(checkShape(name, x), rng, domain, true);
}

function randomLike(
  shape: Shape,
  rng: Rng,
  [lo, hi]: readonly [number, number],
  requiresGrad = false,
): Tensor {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return new Tensor(makeStorage(data, "float64", shape), requiresGrad);
}
