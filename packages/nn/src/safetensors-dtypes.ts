// The safetensors element types tg reads and writes, and their little-endian decoding.
// F16 and BF16 widen to float32; I64 narrows to int32 with a range check.

import type { DType, TypedArray } from "@tg/tensor";

/** The safetensors dtypes `loadSafetensors` reads. */
export const SUPPORTED_DTYPES = ["F32", "F64", "I32", "F16", "BF16", "I64"] as const;
export type SafeDType = (typeof SUPPORTED_DTYPES)[number];

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Record<SafeDType, number> = { F32: 4, F64: 8, I32: 4, F16: 2, BF16: 2, I64: 8 };

const INT32_MIN = BigInt(-(2 ** 31));
const INT32_MAX = BigInt(2 ** 31 - 1);

/** Decodes `byteLength` bytes at `pos` of `view` holding elements of `dtype` into a typed array. */
export function decodeElements(
  view: DataView,
  pos: number,
  dtype: SafeDType,
  byteLength: number,
  name: string,
): { values: TypedArray; dtype: DType } {
  const n = byteLength / DTYPE_BYTES[dtype];
  switch (dtype) {
    case "F32": {
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = view.getFloat32(pos + 4 * i, true);
      return { values, dtype: "float32" };
    }
    case "F64": {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = view.getFloat64(pos + 8 * i, true);
      return { values, dtype: "float64" };
    }
    case "I32": {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) values[i] = view.getInt32(pos + 4 * i, true);
      return { values, dtype: "int32" };
    }
    case "F16": {
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = halfToNumber(view.getUint16(pos + 2 * i, true));
      return { values, dtype: "float32" };
    }
    case "BF16": {
      // a bfloat16 is the top half of a float32's bits
      const values = new Float32Array(n);
      const bits = new Uint32Array(values.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(pos + 2 * i, true) << 16;
      return { values, dtype: "float32" };
    }
    case "I64": {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(pos + 8 * i, true);
        if (v < INT32_MIN || v > INT32_MAX) {
          throw new Error(`loadSafetensors: tensor "${name}" (I64) holds ${v} at element ${i}, outside the int32 range tg loads I64 into`);
        }
        values[i] = Number(v);
      }
      return { values, dtype: "int32" };
    }
  }
}

/** The value of an IEEE 754 half-precision number given by its 16 bits. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
