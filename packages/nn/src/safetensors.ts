// saveSafetensors and loadSafetensors: checkpoints in Hugging Face's safetensors format, which
// PyTorch reads with safetensors.torch.load_file. Element conversions live in safetensors-dtypes.ts.

import { formatShape, tensor, Tensor } from "@tg/tensor";
import { Module } from "./module.js";
import { DTYPE_BYTES, decodeElements, SUPPORTED_DTYPES, type SafeDType } from "./safetensors-dtypes.js";

// TextEncoder and TextDecoder exist in every browser and in Node, but ES2022's lib does not type them
declare class TextEncoder {
  encode(input: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label: string, options: { fatal: boolean });
  decode(input: Uint8Array): string;
}

/** One tensor's entry in the header, after validation; offsets are relative to the data. */
interface Entry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Serialises a module's `stateDict()` (or any record of tensors) with optional string metadata
 * into the safetensors format: an 8-byte little-endian header length, a JSON header (padded
 * with spaces to 8 bytes) giving each tensor's dtype, shape and byte range, then the data,
 * little-endian, in the record's order without gaps. float32/float64/int32 become F32/F64/I32.
 * Tied weights are written once: an entry that views exactly the same elements as an earlier one
 * (the same storage, offset, shape and strides, as a tied parameter's names in `stateDict()`) is
 * left out, as safetensors' `save_model` does. `loadStateDict` fills the tie from the name kept;
 * in PyTorch, `load_state_dict(sd, strict=False)` on a model that ties the weights does the same.
 * @example
 * const bytes = saveSafetensors(model, { epoch: "3" });
 * // in Node: fs.writeFileSync("model.safetensors", bytes)
 */
export function saveSafetensors(source: Module | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = withoutAliases(Object.entries(source instanceof Module ? source.stateDict() : source));
  const header: string[] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new Error(`saveSafetensors: metadata values must be strings, got ${typeof value} for "${key}"`);
      }
    }
    header.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new Error(`saveSafetensors: "${name}" must be a Tensor, got ${typeof t}`);
    if (name === "__metadata__") throw new Error(`saveSafetensors: "__metadata__" cannot name a tensor`);
    const dtype = t.dtype === "float32" ? "F32" : t.dtype === "float64" ? "F64" : "I32";
    const end = offset + t.size * DTYPE_BYTES[dtype];
    header.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape: t.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${header.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const [, t] of entries) {
    const values = t.dataSync();
    for (let i = 0; i < values.length; i++) {
      if (t.dtype === "float32") view.setFloat32(pos + 4 * i, values[i], true);
      else if (t.dtype === "float64") view.setFloat64(pos + 8 * i, values[i], true);
      else view.setInt32(pos + 4 * i, values[i], true);
    }
    pos += values.length * values.BYTES_PER_ELEMENT;
  }
  return out;
}

/** The entries without those that alias an earlier one's elements (tied weights), in order. */
function withoutAliases(entries: [string, Tensor][]): [string, Tensor][] {
  const kept: [string, Tensor][] = [];
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor) || !kept.some(([, u]) => sameView(t, u))) kept.push([name, t]);
  }
  return kept;
}

function sameView(a: Tensor, b: Tensor): boolean {
  const x = a.storage;
  const y = b.storage;
  return (
    x.data === y.data &&
    x.offset === y.offset &&
    x.shape.length === y.shape.length &&
    x.shape.every((d, i) => d === y.shape[i] && x.strides[i] === y.strides[i])
  );
}

/**
 * Reads the tensors of a safetensors file, by name in header order. F32, F64 and I32 load as
 * float32, float64 and int32; F16 and BF16 as float32; I64 as int32 (an error if a value does
 * not fit). The whole file is checked before any tensor is made: a truncated or corrupt file
 * throws an Error saying what was expected, never returns part of the tensors. The record has
 * no prototype, so any tensor name (`__proto__`, `constructor`) is an ordinary entry.
 * @example
 * model.loadStateDict(loadSafetensors(fs.readFileSync("model.safetensors")));
 */
export function loadSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  const { entries, dataStart } = parseHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = record<Tensor>();
  for (const e of entries) {
    const { values, dtype } = decodeElements(view, dataStart + e.begin, e.dtype, e.end - e.begin, e.name);
    out[e.name] = tensor(values, { shape: e.shape, dtype });
  }
  return out;
}

/**
 * The `__metadata__` strings of a safetensors file (empty when it has none), checked like
 * `loadSafetensors`, in a record without a prototype like the tensors.
 */
export function loadSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return parseHeader(bytes).metadata;
}

function fail(message: string): never {
  throw new Error(`loadSafetensors: ${message}`);
}

function parseHeader(bytes: Uint8Array): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true); // a BigInt, so a huge length prints exactly
  if (declared > BigInt(bytes.length - 8)) {
    fail(`header length ${declared} exceeds the ${bytes.length - 8} bytes after the length field (truncated file?)`);
  }
  const headerLength = Number(declared);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail("header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail(`header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 20))}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(parsed)) fail("header must be a JSON object");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = record<string>();
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(parsed)) {
    if (name === "__metadata__") {
      if (!isRecord(info)) fail(`"__metadata__" must be an object of strings`);
      for (const [key, value] of Object.entries(info)) {
        if (typeof value !== "string") fail(`"__metadata__" values must be strings, got ${JSON.stringify(value)} for "${key}"`);
        metadata[key] = value;
      }
    } else {
      entries.push(parseEntry(name, info, dataLength));
    }
  }
  checkCoverage(entries, dataLength);
  return { entries, metadata, dataStart };
}

function parseEntry(name: string, info: unknown, dataLength: number): Entry {
  const where = `tensor "${name}"`;
  if (!isRecord(info)) fail(`${where} must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string" || !isSupported(dtype)) {
    fail(`${where} has dtype ${JSON.stringify(dtype)}, expected one of ${SUPPORTED_DTYPES.join(", ")}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`${where} has shape ${JSON.stringify(shape)}, expected an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    fail(`${where} has data_offsets ${JSON.stringify(offsets)}, expected [begin, end] with 0 <= begin <= end`);
  }
  const [begin, end] = offsets;
  if (end > dataLength) {
    fail(`${where} has data_offsets [${begin},${end}] past the end of the ${dataLength} bytes of data (truncated file?)`);
  }
  const needed = shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[dtype];
  if (needed !== end - begin) {
    fail(`${where} of shape ${formatShape(shape)} and dtype ${dtype} needs ${needed} bytes, data_offsets [${begin},${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape, begin, end };
}

/** The tensors' byte ranges must tile the data exactly: no overlap, no gap, nothing left over. */
function checkCoverage(entries: readonly Entry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let next = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < next && previous !== null) {
      fail(`tensors "${previous.name}" [${previous.begin},${previous.end}] and "${e.name}" [${e.begin},${e.end}] overlap`);
    }
    if (e.begin > next) fail(`bytes ${next}..${e.begin} of the data belong to no tensor`);
    next = e.end;
    previous = e;
  }
  if (next !== dataLength) fail(`bytes ${next}..${dataLength} of the data belong to no tensor`);
}

/**
 * An empty record without a prototype: names such as `__proto__`, `constructor` or `toString`
 * become ordinary entries, and a name the file lacks reads as undefined.
 */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isSupported(dtype: string): dtype is SafeDType {
  return (SUPPORTED_DTYPES as readonly string[]).includes(dtype);
}
