// Checks of optimizer and scheduler settings. Each throws a RangeError naming the owner, the
// setting and the value: `AdamW: betas[0] must be in [0, 1), got 1.2`.

/** An allowed interval; bounds are inclusive unless marked open. Values must also be finite. */
export interface RangeSpec {
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

export const NON_NEGATIVE: RangeSpec = { min: 0 };
export const POSITIVE: RangeSpec = { min: 0, minOpen: true };
export const LR_RANGE: RangeSpec = NON_NEGATIVE;
export const UNIT_INTERVAL: RangeSpec = { min: 0, max: 1, maxOpen: true };
export const UNIT_CLOSED: RangeSpec = { min: 0, max: 1 };

function describeRange(spec: RangeSpec): string {
  const { min, max, minOpen = false, maxOpen = false } = spec;
  if (min !== undefined && max !== undefined) {
    return `in ${minOpen ? "(" : "["}${min}, ${max}${maxOpen ? ")" : "]"}`;
  }
  if (min !== undefined) return `${minOpen ? ">" : ">="} ${min}`;
  if (max !== undefined) return `${maxOpen ? "<" : "<="} ${max}`;
  return "finite";
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Returns `value` when it is a finite number within `spec`; throws a RangeError otherwise. */
export function checkRange(where: string, key: string, value: unknown, spec: RangeSpec): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${where}: ${key} must be a finite number, got ${show(value)}`);
  }
  const { min, max, minOpen = false, maxOpen = false } = spec;
  const tooLow = min !== undefined && (minOpen ? value <= min : value < min);
  const tooHigh = max !== undefined && (maxOpen ? value >= max : value > max);
  if (tooLow || tooHigh)
    throw new RangeError(`${where}: ${key} must be ${describeRange(spec)}, got ${value}`);
  return value;
}

/** A number setting: `fallback` when undefined, else checked against `spec`. */
export function numberOption(
  where: string,
  key: string,
  value: unknown,
  fallback: number,
  spec: RangeSpec,
): number {
  return value === undefined ? fallback : checkRange(where, key, value, spec);
}

/** An optional number setting that stays undefined (off) when not given. */
export function optionalNumber(
  where: string,
  key: string,
  value: unknown,
  spec: RangeSpec,
): number | undefined {
  return value === undefined ? undefined : checkRange(where, key, value, spec);
}

/** A positive integer setting (sizes and counts). */
export function positiveInteger(where: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${where}: ${key} must be a positive integer, got ${show(value)}`);
  }
  return value;
}

/** A boolean setting: `fallback` when undefined; anything but true/false is refused. */
export function booleanOption(
  where: string,
  key: string,
  value: unknown,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new RangeError(`${where}: ${key} must be true or false, got ${show(value)}`);
  return value;
}

/** Checks that `options` is an object whose keys are all among `known` (catches typos like `weight_decay`). */
export function checkKeys(where: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new RangeError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new RangeError(
        `${where}: unknown option ${JSON.stringify(key)} (expected one of ${known.join(", ")})`,
      );
    }
  }
}
