import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, Tensor, tensor } from "@tg/tensor";
import { BatchNorm1D } from "./batchnorm.js";
import { ReLU } from "./activation.js";
import { Linear } from "./linear.js";
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from "./safetensors.js";
import { Sequential } from "./sequential.js";

/**
 * An independent writer, straight from the format: 8 bytes of little-endian header length,
 * the header as ASCII, then the data bytes as given.
 */
function fixture(header: string, data: readonly number[], lengthOverride?: number): Uint8Array {
  const n = lengthOverride ?? header.length;
  const lengthBytes = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, 0, 0, 0, 0];
  const chars = Array.from(header, (ch) => ch.charCodeAt(0));
  return Uint8Array.from([...lengthBytes, ...chars, ...data]);
}

/** Reads the header of a file written by saveSafetensors, by hand. */
function readHeader(bytes: Uint8Array): { length: number; text: string } {
  const length = bytes[0] + bytes[1] * 256 + bytes[2] * 65536 + bytes[3] * 16777216;
  return { length, text: String.fromCharCode(...bytes.subarray(8, 8 + length)) };
}

describe("loadSafetensors reads a file built by hand from the spec", () => {
  const header =
    '{"__metadata__":{"format":"pt"},' +
    '"half":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},' +
    '"brain":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]},' +
    '"long":{"dtype":"I64","shape":[3],"data_offsets":[14,38]},' +
    '"single":{"dtype":"F32","shape":[],"data_offsets":[38,42]},' +
    '"int":{"dtype":"I32","shape":[1],"data_offsets":[42,46]},' +
    '"double":{"dtype":"F64","shape":[1,1],"data_offsets":[46,54]},' +
    '"empty":{"dtype":"F32","shape":[0,3],"data_offsets":[54,54]}}   ';
  const data = [
    // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, 2^-24 = 0x0001 (smallest subnormal)
    0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00,
    // BF16: 1.0 = 0x3F80, -2.5 = 0xC020, 3.140625 = 0x4049
    0x80, 0x3f, 0x20, 0xc0, 0x49, 0x40,
    // I64: 7, -1, 2^31 - 1
    7, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0,
    // F32: 1.5 = 0x3FC00000
    0x00, 0x00, 0xc0, 0x3f,
    // I32: -2
    0xfe, 0xff, 0xff, 0xff,
    // F64: 1.0 = 0x3FF0000000000000
    0, 0, 0, 0, 0, 0, 0xf0, 0x3f,
  ];

  it("decodes every dtype", () => {
    const t = loadSafetensors(fixture(header, data));
    expect(Object.keys(t)).toEqual(["half", "brain", "long", "single", "int", "double", "empty"]);
    expect(t.half.dtype).toBe("float32");
    expect(t.half.toArray()).toEqual([[1, -2], [65504, 2 ** -24]]);
    expect(t.brain.toArray()).toEqual([1, -2.5, 3.140625]);
    expect(t.long.dtype).toBe("int32");
    expect(t.long.toArray()).toEqual([7, -1, 2147483647]);
    expect(t.single.shape).toEqual([]);
    expect(t.single.item()).toBe(1.5);
    expect(t.int.toArray()).toEqual([-2]);
    expect(t.double.dtype).toBe("float64");
    expect(t.double.toArray()).toEqual([[1]]);
    expect(t.empty.shape).toEqual([0, 3]);
    expect(loadSafetensorsMetadata(fixture(header, data))).toEqual({ format: "pt" });
  });

  it("reads F16 infinities and NaN", () => {
    const t = loadSafetensors(fixture('{"x":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}', [0x00, 0x7c, 0x00, 0xfc, 0x01, 0x7e]));
    const [inf, negInf, nan] = Array.from(t.x.dataSync());
    expect([inf, negInf]).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(nan)).toBe(true);
  });

  it("reads a Node Buffer-like view with a non-zero byteOffset", () => {
    const bytes = fixture(header, data);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(loadSafetensors(padded.subarray(3)).brain.toArray()).toEqual([1, -2.5, 3.140625]);
  });
});

describe("loadSafetensors refuses corrupt files with a clear error", () => {
  const ok = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const eight = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40];
  const load = (h: string, d: readonly number[] = eight, n?: number) => () => loadSafetensors(fixture(h, d, n));

  it("accepts the valid base case", () => expect(load(ok)()).toHaveProperty("a"));
  it("a file shorter than the length field", () => {
    expect(() => loadSafetensors(Uint8Array.from([1, 2, 3]))).toThrow(
      "loadSafetensors: file is 3 bytes, too short for the 8-byte header length",
    );
  });
  it("a header length beyond the file", () => {
    expect(load(ok, eight, 500)).toThrow(/header length 500 exceeds the \d+ bytes after the length field/);
  });
  it("a header length of 2^62, printed as the integer it is", () => {
    const bytes = fixture(ok, eight);
    bytes.set([0, 0, 0, 0, 0, 0, 0, 0x40]); // 2^62, little-endian
    expect(() => loadSafetensors(bytes)).toThrow(
      `loadSafetensors: header length 4611686018427387904 exceeds the ${bytes.length - 8} bytes after the length field (truncated file?)`,
    );
  });
  it("a header that is not JSON", () => {
    expect(load('{"a":{"dtype":"F32",')).toThrow(/loadSafetensors: header is not valid JSON/);
    expect(load('["a"]')).toThrow('loadSafetensors: header must be a JSON object starting with "{", got "[\\"a\\"]"');
  });
  it("an unknown dtype, naming the expected ones", () => {
    expect(load(ok.replace("F32", "U8"))).toThrow(
      'loadSafetensors: tensor "a" has dtype "U8", expected one of F32, F64, I32, F16, BF16, I64',
    );
  });
  it("a bad shape", () => {
    expect(load(ok.replace("[2]", "[-2]"))).toThrow('tensor "a" has shape [-2], expected an array of non-negative integers');
  });
  it("offsets out of range", () => {
    expect(load(ok.replace("[0,8]", "[0,12]"))).toThrow(
      'loadSafetensors: tensor "a" has data_offsets [0,12] past the end of the 8 bytes of data (truncated file?)',
    );
    expect(load(ok.replace("[0,8]", "[8,0]"))).toThrow("expected [begin, end] with 0 <= begin <= end");
  });
  it("a shape whose size does not match its byte range", () => {
    expect(load(ok.replace("[2]", "[3]"))).toThrow(
      'loadSafetensors: tensor "a" of shape [3] and dtype F32 needs 12 bytes, data_offsets [0,8] hold 8',
    );
  });
  it("overlapping tensors", () => {
    const h = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(load(h)).toThrow('loadSafetensors: tensors "a" [0,8] and "b" [4,8] overlap');
  });
  it("bytes no tensor covers, between tensors or at the end", () => {
    const gap = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}}';
    expect(load(gap)).toThrow("loadSafetensors: bytes 4..8 of the data belong to no tensor");
    expect(load(ok, [...eight, 0, 0])).toThrow("loadSafetensors: bytes 8..10 of the data belong to no tensor");
  });
  it("a truncated data section", () => {
    expect(load(ok, eight.slice(0, 6))).toThrow("past the end of the 6 bytes of data");
  });
  it("an I64 value outside int32", () => {
    const h = '{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}';
    expect(load(h, [0, 0, 0, 0x80, 0, 0, 0, 0])).toThrow(
      'loadSafetensors: tensor "n" (I64) holds 2147483648 at element 0, outside the int32 range tg loads I64 into',
    );
  });
  it("metadata that is not strings", () => {
    const h = ok.replace("{", '{"__metadata__":{"epoch":3},');
    expect(load(h)).toThrow('loadSafetensors: "__metadata__" values must be strings, got 3 for "epoch"');
  });
  it("a header that is not UTF-8", () => {
    const bytes = fixture(ok, eight);
    bytes[10] = 0xff;
    expect(() => loadSafetensors(bytes)).toThrow("loadSafetensors: header is not valid UTF-8");
  });
});

describe("loadSafetensors takes every name as an ordinary entry", () => {
  const names = ["__proto__", "constructor", "toString"];
  const header = (keys: readonly string[]) =>
    `{"__metadata__":{${keys.map((k) => `"${k}":"meta ${k}"`).join(",")}},` +
    keys.map((k, i) => `"${k}":{"dtype":"F32","shape":[1],"data_offsets":[${4 * i},${4 * i + 4}]}`).join(",") +
    "}";
  const data = [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40]; // 1, 2, 3 as F32

  it.each(names)("reads a tensor named %s as an entry, not as a property of every object", (name) => {
    const tensors = loadSafetensors(fixture(header([name]), data.slice(0, 4)));
    expect(Object.keys(tensors)).toEqual([name]);
    expect(Object.hasOwn(tensors, name)).toBe(true);
    expect(tensors[name]).toBeInstanceOf(Tensor);
    expect(tensors[name].toArray()).toEqual([1]);
    expect(Object.getPrototypeOf(tensors)).not.toBeInstanceOf(Tensor);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype); // nothing leaked into Object.prototype
  });

  it("reads all three names side by side, tensors and metadata alike", () => {
    const bytes = fixture(header(names), data);
    const tensors = loadSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(names);
    expect(names.map((n) => tensors[n].item())).toEqual([1, 2, 3]);
    const metadata = loadSafetensorsMetadata(bytes);
    expect(Object.keys(metadata)).toEqual(names);
    expect(names.map((n) => metadata[n])).toEqual(names.map((n) => `meta ${n}`));
  });

  it("reads a name the file lacks as undefined, never an inherited property", () => {
    const bytes = fixture('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', data.slice(0, 4));
    const tensors = loadSafetensors(bytes);
    const metadata = loadSafetensorsMetadata(bytes);
    for (const name of names) {
      expect(tensors[name]).toBeUndefined();
      expect(metadata[name]).toBeUndefined();
    }
  });

  it("round-trips a record holding the three names through saveSafetensors", () => {
    const source: Record<string, Tensor> = Object.fromEntries(names.map((n, i) => [n, tensor([i, -i])]));
    const loaded = loadSafetensors(saveSafetensors(source));
    expect(Object.keys(loaded)).toEqual(names);
    expect(names.map((n) => loaded[n].toArray())).toEqual([[0, -0], [1, -1], [2, -2]]);
  });
});

describe("saveSafetensors", () => {
  beforeEach(() => manualSeed(0));

  it("lays out an 8-byte-aligned, space-padded header and contiguous data in order", () => {
    const bytes = saveSafetensors({ b: tensor([1, 2, 3]), a: tensor([[4]], { dtype: "float64" }), i: tensor([5], { dtype: "int32" }) }, { note: "hi" });
    const { length, text } = readHeader(bytes);
    expect(length % 8).toBe(0);
    expect(text.trimEnd()).toBe(
      '{"__metadata__":{"note":"hi"},' +
        '"b":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},' +
        '"a":{"dtype":"F64","shape":[1,1],"data_offsets":[12,20]},' +
        '"i":{"dtype":"I32","shape":[1],"data_offsets":[20,24]}}',
    );
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    expect(bytes.length).toBe(8 + length + 24);
    // 1.0f at the start of the data, little-endian 0x3F800000
    expect(Array.from(bytes.subarray(8 + length, 8 + length + 4))).toEqual([0, 0, 0x80, 0x3f]);
  });

  it("round-trips a model so that a fresh one reproduces its outputs exactly", () => {
    const build = (): Sequential => new Sequential(new Linear(4, 8), new BatchNorm1D(8), new ReLU(), new Linear(8, 3));
    const model = build();
    model.forward(Tensor.randn([5, 4])); // moves the running statistics
    const bytes = saveSafetensors(model, { epoch: "3" });
    manualSeed(1);
    const fresh = build();
    fresh.loadStateDict(loadSafetensors(bytes));
    const x = Tensor.randn([2, 4]);
    expect(fresh.eval().forward(x).toArray()).toEqual(model.eval().forward(x).toArray());
    expect(loadSafetensorsMetadata(bytes)).toEqual({ epoch: "3" });
    const loaded = loadSafetensors(bytes);
    expect(loaded["1.num_batches_tracked"].dtype).toBe("int32");
    expect(loaded["1.num_batches_tracked"].item()).toBe(1);
  });

  it("round-trips float64, int32, 0-d and empty tensors, and strided views", () => {
    const sd = {
      x: tensor([[1.25, -3e-300], [Infinity, 7]], { dtype: "float64" }),
      n: tensor([-2147483648, 2147483647], { dtype: "int32" }),
      s: tensor(3),
      e: Tensor.zeros([2, 0]),
      t: tensor([[1, 2], [3, 4]]).transpose(0, 1),
    };
    const back = loadSafetensors(saveSafetensors(sd));
    for (const [k, v] of Object.entries(sd)) {
      expect(back[k].dtype).toBe(v.dtype);
      expect(back[k].shape).toEqual(v.shape);
      expect(back[k].toArray()).toEqual(v.toArray());
    }
    expect(loadSafetensorsMetadata(saveSafetensors(sd))).toEqual({});
  });

  it("refuses values that cannot be written", () => {
    expect(() => saveSafetensors({ __metadata__: tensor([1]) })).toThrow('saveSafetensors: "__metadata__" cannot name a tensor');
    const bad: Record<string, string> = {};
    Object.defineProperty(bad, "n", { value: 3, enumerable: true });
    expect(() => saveSafetensors({ a: tensor([1]) }, bad)).toThrow(
      'saveSafetensors: metadata values must be strings, got number for "n"',
    );
  });
});
