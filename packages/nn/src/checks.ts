// Checks of layer settings shared by the layers: each throws a RangeError naming the layer.

import type { DType } from "@tg/tensor";

/** The dtypes a layer's parameters may have. */
export type FloatDType = "float32" | "float64";

/** Returns `value` when it is an integer >= `min`, else throws `Layer: name must be ...`. */
export function checkInt(layer: string, name: string, value: number, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    const what =
      min === 1 ? "a positive integer" : min === 0 ? "a non-negative integer" : min === -Infinity ? "an integer" : `an integer >= ${min}`;
    throw new RangeError(`${layer}: ${name} must be ${what}, got ${String(value)}`);
  }
  return value;
}

/** A number or an [h, w] pair of integers >= `min`, as the pair. */
export function checkPair(layer: string, name: string, value: number | readonly [number, number], min: number): [number, number] {
  if (typeof value === "number") {
    checkInt(layer, name, value, min);
    return [value, value];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new RangeError(`${layer}: ${name} must be a number or an [h, w] pair, got ${JSON.stringify(value)}`);
  }
  checkInt(layer, `${name}[0]`, value[0], min);
  checkInt(layer, `${name}[1]`, value[1], min);
  return [value[0], value[1]];
}

/** Returns `dtype` when it is float32 or float64, else throws. */
export function checkFloatDType(layer: string, dtype: DType): FloatDType {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new RangeError(`${layer}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  }
  return dtype;
}

/** Returns `value` when it is a finite number, else throws. */
export function checkFinite(layer: string, name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${layer}: ${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}
