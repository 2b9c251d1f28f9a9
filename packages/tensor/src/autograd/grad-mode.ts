// The grad-mode flag: while it is off, ops record no graph (inference, optimizer steps, backward).

let enabled = true;

/** True unless running inside `noGrad` (PyTorch's `torch.is_grad_enabled`). */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording the graph and returns its result, like `torch.no_grad()`.
 * @example
 * const y = noGrad(() => model.forward(x)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
