// Parameter groups: the `[{ params, weightDecay: 0 }, { params }]` form of an optimizer's first
// argument, split into each group's tensors and setting overrides. Used by optimizer.ts.

import { Tensor } from "@tg/tensor";

/**
 * One parameter group (PyTorch's param_groups entry): its parameters, and settings that override
 * the optimizer's for them, e.g. `{ params: biases, weightDecay: 0 }`. Gradient clipping
 * (`maxGradNorm`, `clipValue`) covers all parameters together and cannot be set per group.
 */
export type ParamGroup<O> = {
  /** The group's parameters. */
  params: Iterable<Tensor>;
} & Omit<O, "maxGradNorm" | "clipValue">;

/** A group split into its parameters and its setting overrides. */
export interface SplitGroup {
  params: Tensor[];
  overrides: Record<string, unknown>;
}

/**
 * Reads the optimizer's first argument: a plain iterable of tensors is one group without
 * overrides; an iterable of `{ params, ...settings }` objects is one group each.
 */
export function splitGroups(name: string, params: Iterable<unknown>): SplitGroup[] {
  if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
    throw new TypeError(`${name}: params must be an iterable of tensors or parameter groups, got ${String(params)}`);
  }
  const items = [...params];
  if (items.length === 0 || items[0] instanceof Tensor || !isGroup(items[0])) {
    return [{ params: items as Tensor[], overrides: {} }];
  }
  return items.map((item, i) => {
    if (!isGroup(item)) {
      throw new TypeError(`${name}: group ${i} must be an object { params, ...settings }, got ${describe(item)}`);
    }
    const { params: groupParams, ...overrides } = item;
    if (groupParams === null || typeof groupParams !== "object" || !(Symbol.iterator in groupParams)) {
      throw new TypeError(`${name}: group ${i} params must be an iterable of tensors, got ${String(groupParams)}`);
    }
    for (const key of ["maxGradNorm", "clipValue"]) {
      if (key in overrides) {
        throw new RangeError(`${name}: group ${i} sets ${key}, which applies to all parameters; pass it in the options`);
      }
    }
    const list = [...(groupParams as Iterable<unknown>)];
    if (list.length === 0) throw new RangeError(`${name}: group ${i} has no parameters`);
    return { params: list as Tensor[], overrides };
  });
}

function isGroup(value: unknown): value is { params: unknown } & Record<string, unknown> {
  return typeof value === "object" && value !== null && !(value instanceof Tensor) && "params" in value;
}

function describe(value: unknown): string {
  if (value instanceof Tensor) return "a Tensor";
  return value === null ? "null" : typeof value;
}
