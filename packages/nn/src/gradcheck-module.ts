// gradcheckModule: checks a module's gradients, for its inputs and for every parameter, against
// central differences, as @tg/tensor's gradcheck does for functions.

import { formatShape, noGrad, Rng, tensor, Tensor, TensorError, type Shape } from "@tg/tensor";
import type { Module } from "./module.js";

/** Options of `gradcheckModule`, with the same defaults as @tg/tensor's `gradcheck`. */
export interface GradcheckModuleOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random inputs made from shapes and of the output weights (default 0). */
  seed?: number;
  /** Range of the random inputs made from shapes (default [-2, 2]). */
  domain?: [number, number];
}

/**
 * Checks d(Σ forward(x) · w)/d(input) and d/d(parameter) of a float64 module against central
 * differences (f(θ + eps) − f(θ − eps)) / 2eps, for every element of every input and parameter.
 * Inputs given as shapes become random float64 tensors; given tensors are copied to float64.
 * Throws a TensorError naming the input or parameter and the element whose gradients differ.
 * The module must be deterministic (Dropout in eval mode or with p = 0).
 * @example
 * gradcheckModule(new Linear(3, 2, { dtype: "float64" }), [[4, 3]]);
 */
export function gradcheckModule(module: Module, inputs: readonly (Tensor | Shape)[], opts: GradcheckModuleOptions = {}): void {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0, domain = [-2, 2] } = opts;
  const named = module.namedParameters();
  for (const [name, p] of named) {
    if (p.dtype !== "float64") {
      throw new TensorError(`gradcheckModule: parameter "${name}" is ${p.dtype}; build the module with dtype "float64"`);
    }
  }
  const rng = new Rng(seed);
  const xs = inputs.map((x) =>
    x instanceof Tensor
      ? tensor(Float64Array.from(x.dataSync()), { shape: x.shape, dtype: "float64", requiresGrad: true })
      : random(x, rng, domain, true),
  );
  const out = module.forward(...xs);
  const weights = random(out.shape, rng, [-1, 1], false);
  const objective = (): number => noGrad(() => module.forward(...xs).mul(weights).sum().item());

  const saved = named.map(([, p]) => p.grad);
  for (const [, p] of named) p.grad = null;
  out.mul(weights).sum().backward();
  const targets: [string, Tensor][] = [...xs.map((x, i): [string, Tensor] => [`input ${i}`, x]), ...named.map(([n, p]): [string, Tensor] => [`parameter "${n}"`, p])];
  try {
    for (const [label, t] of targets) {
      const analytic = t.grad === null ? new Float64Array(t.size) : t.grad.dataSync();
      const data = t.storage.data;
      for (let i = 0; i < t.size; i++) {
        const at = t.storage.offset + i;
        const original = data[at];
        data[at] = original + eps;
        const plus = objective();
        data[at] = original - eps;
        const minus = objective();
        data[at] = original;
        const numeric = (plus - minus) / (2 * eps);
        if (!(Math.abs(analytic[i] - numeric) <= atol + rtol * Math.abs(numeric))) {
          throw new TensorError(
            `gradcheckModule: gradients differ for ${label} ${formatShape(t.shape)}, element ${i}: ` +
              `analytic ${analytic[i]}, numeric ${numeric}`,
          );
        }
      }
    }
  } finally {
    named.forEach(([, p], i) => (p.grad = saved[i]));
  }
}

function random(shape: Shape, rng: Rng, [lo, hi]: [number, number], requiresGrad: boolean): Tensor {
  const size = shape.reduce((n, d) => n * d, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = lo + (hi - lo) * rng.uniform();
  return tensor(data, { shape, dtype: "float64", requiresGrad });
}
