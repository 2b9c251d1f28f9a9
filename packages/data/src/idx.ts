// The IDX format of MNIST-style data sets: parseIdx reads it (gzipped or plain), encodeIdx writes
// it. Browser-safe: gzip is inflated with fflate, synchronously.

import { gunzipSync } from "fflate";

/** The typed arrays IDX data can hold, one per IDX type code. */
export type IdxData =
  Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its dims and its elements in row-major order. */
export interface Idx {
  /** The size of each dim, as the file's header gives them. */
  shape: number[];
  /** The elements in row-major order, in the file's element type. */
  data: IdxData;
}

interface IdxType {
  code: number;
  name: string;
  bytes: number;
}

/** The six IDX element types, by type code (byte 2 of the magic number). */
const TYPES: readonly IdxType[] = [
  { code: 0x08, name: "u8", bytes: 1 },
  { code: 0x09, name: "i8", bytes: 1 },
  { code: 0x0b, name: "i16", bytes: 2 },
  { code: 0x0c, name: "i32", bytes: 4 },
  { code: 0x0d, name: "f32", bytes: 4 },
  { code: 0x0e, name: "f64", bytes: 8 },
];

const hex = (byte: number): string => `0x${byte.toString(16).padStart(2, "0")}`;

/**
 * Parses an IDX file (the format of MNIST and Fashion-MNIST): two zero bytes, a type code, the
 * number of dims, one big-endian uint32 size per dim, then the big-endian elements. Input starting
 * with the gzip magic bytes 1f 8b is inflated first. u8 and i8 data are views of the (inflated)
 * input; wider types are converted from big-endian into a fresh array.
 * Throws an Error saying what was expected and what was found when the input is not valid IDX.
 * @example
 * const { shape, data } = parseIdx(readFileSync("train-labels-idx1-ubyte.gz")); // [60000], Uint8Array
 */
export function parseIdx(bytes: Uint8Array): Idx {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `parseIdx: expected a Uint8Array, got ${Object.prototype.toString.call(bytes)}`,
    );
  }
  const raw = isGzip(bytes) ? inflate(bytes) : bytes;
  if (raw.length < 4) {
    throw new Error(
      `parseIdx: expected at least 4 header bytes (magic number), found ${raw.length}`,
    );
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new Error(
      `parseIdx: expected the IDX magic number to start with 0x00 0x00, found ${hex(raw[0])} ${hex(raw[1])}`,
    );
  }
  const type = TYPES.find((t) => t.code === raw[2]);
  if (type === undefined) {
    const known = TYPES.map((t) => `${hex(t.code)} (${t.name})`).join(", ");
    throw new Error(`parseIdx: unknown IDX type code ${hex(raw[2])}, expected one of ${known}`);
  }
  const ndim = raw[3];
  const headerBytes = 4 + 4 * ndim;
  if (raw.length < headerBytes) {
    throw new Error(
      `parseIdx: truncated header: ${ndim} dims need ${headerBytes} header bytes, found ${raw.length}`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((n, d) => n * d, 1);
  const expected = count * type.bytes;
  const found = raw.length - headerBytes;
  if (found !== expected) {
    const what = found < expected ? "truncated data" : "size mismatch";
    throw new Error(
      `parseIdx: ${what}: shape [${shape.join(",")}] of ${type.name} needs ${expected} data bytes, found ${found}`,
    );
  }
  return { shape, data: readElements(raw, view, headerBytes, count, type.code) };
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function inflate(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(
      `parseIdx: expected valid gzip data after the magic bytes 1f 8b, found a corrupt or truncated stream (${reason})`,
      { cause: e },
    );
  }
}

function readElements(
  raw: Uint8Array,
  view: DataView,
  start: number,
  count: number,
  code: number,
): IdxData {
  switch (code) {
    case 0x08:
      return new Uint8Array(raw.buffer, raw.byteOffset + start, count);
    case 0x09:
      return new Int8Array(raw.buffer, raw.byteOffset + start, count);
    case 0x0b: {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, false);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, false);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, false);
      return out;
    }
    default: {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, false);
      return out;
    }
  }
}

/**
 * Writes `data` of `shape` as an IDX file (uncompressed); the type code follows the typed array
 * (Uint8Array → 0x08 … Float64Array → 0x0E). The inverse of `parseIdx`.
 * @example
 * const bytes = encodeIdx({ shape: [2, 2], data: new Uint8Array([0, 255, 255, 0]) });
 */
export function encodeIdx({ shape, data }: Idx): Uint8Array {
  const code = typeCode(data);
  const count = shape.reduce((n, d) => n * d, 1);
  if (shape.length > 255 || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new RangeError(
      `encodeIdx: shape [${shape.join(",")}] must have at most 255 dims of uint32 sizes`,
    );
  }
  if (count !== data.length) {
    throw new RangeError(
      `encodeIdx: shape [${shape.join(",")}] needs ${count} elements, got ${data.length}`,
    );
  }
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * data.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const w = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < count; i++) {
    const at = header + w * i;
    if (data instanceof Uint8Array) out[at] = data[i];
    else if (data instanceof Int8Array) view.setInt8(at, data[i]);
    else if (data instanceof Int16Array) view.setInt16(at, data[i], false);
    else if (data instanceof Int32Array) view.setInt32(at, data[i], false);
    else if (data instanceof Float32Array) view.setFloat32(at, data[i], false);
    else view.setFloat64(at, data[i], false);
  }
  return out;
}

function typeCode(data: IdxData): number {
  if (data instanceof Uint8Array) return 0x08;
  if (data instanceof Int8Array) return 0x09;
  if (data instanceof Int16Array) return 0x0b;
  if (data instanceof Int32Array) return 0x0c;
  if (data instanceof Float32Array) return 0x0d;
  if (data instanceof Float64Array) return 0x0e;
  throw new TypeError(
    "encodeIdx: data must be a Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array",
  );
}
