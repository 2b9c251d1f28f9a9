import { describe, expect, it } from "vitest";
import { gzipSync } from "fflate";
import { encodeIdx, parseIdx } from "./index.js";

/** Passes a value of the wrong type, as plain JavaScript callers can. */
function untyped<T>(value: unknown): T {
  return value as T;
}

/** An IDX file written byte by byte from the format's description: 0 0 type ndim, sizes, data. */
function idxBytes(type: number, shape: number[], data: number[]): Uint8Array {
  const sizes = shape.flatMap((d) => [
    (d >>> 24) & 255,
    (d >>> 16) & 255,
    (d >>> 8) & 255,
    d & 255,
  ]);
  return new Uint8Array([0, 0, type, shape.length, ...sizes, ...data]);
}

describe("parseIdx", () => {
  it("reads u8 data with big-endian sizes", () => {
    const { shape, data } = parseIdx(idxBytes(0x08, [2, 3], [1, 2, 3, 250, 251, 255]));
    expect(shape).toEqual([2, 3]);
    expect(data).toBeInstanceOf(Uint8Array);
    expect(Array.from(data)).toEqual([1, 2, 3, 250, 251, 255]);
  });

  it("reads sizes above 255 (all four bytes of the big-endian size)", () => {
    const n = 0x0102;
    const { shape, data } = parseIdx(idxBytes(0x08, [n], new Array<number>(n).fill(7)));
    expect(shape).toEqual([258]);
    expect(data.length).toBe(258);
  });

  it("reads i8, i16, i32, f32 and f64 data stored big-endian", () => {
    expect(Array.from(parseIdx(idxBytes(0x09, [3], [0xff, 0x80, 0x7f])).data)).toEqual([
      -1, -128, 127,
    ]);
    const i16 = parseIdx(idxBytes(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]));
    expect(i16.data).toBeInstanceOf(Int16Array);
    expect(Array.from(i16.data)).toEqual([258, -2]);
    const i32 = parseIdx(idxBytes(0x0c, [1, 2], [0, 1, 0, 0, 0xff, 0xff, 0xff, 0xfd]));
    expect(i32.data).toBeInstanceOf(Int32Array);
    expect(Array.from(i32.data)).toEqual([65536, -3]);
    // 1.5 = 0x3fc00000 as f32; -2 = 0xc000000000000000 as f64
    const f32 = parseIdx(idxBytes(0x0d, [1], [0x3f, 0xc0, 0, 0]));
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual([1.5]);
    const f64 = parseIdx(idxBytes(0x0e, [1], [0xc0, 0, 0, 0, 0, 0, 0, 0]));
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(Array.from(f64.data)).toEqual([-2]);
  });

  it("inflates gzipped input, detected by the magic bytes 1f 8b", () => {
    const plain = idxBytes(0x08, [2, 2], [9, 8, 7, 6]);
    const gz = gzipSync(plain);
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const { shape, data } = parseIdx(gz);
    expect(shape).toEqual([2, 2]);
    expect(Array.from(data)).toEqual([9, 8, 7, 6]);
  });

  it("reads a 0-dim file as one element and an empty dim as no data", () => {
    expect(parseIdx(idxBytes(0x08, [], [42]))).toEqual({ shape: [], data: new Uint8Array([42]) });
    expect(parseIdx(idxBytes(0x0d, [0, 28], [])).data.length).toBe(0);
  });

  it("says what it expected and what it found for bad input", () => {
    expect(() => parseIdx(new Uint8Array([0, 0]))).toThrow(
      new Error("parseIdx: expected at least 4 header bytes (magic number), found 2"),
    );
    expect(() => parseIdx(new Uint8Array([0x50, 0x4b, 3, 4]))).toThrow(
      "parseIdx: expected the IDX magic number to start with 0x00 0x00, found 0x50 0x4b",
    );
    expect(() => parseIdx(idxBytes(0x0a, [1], [0]))).toThrow(
      "parseIdx: unknown IDX type code 0x0a, expected one of 0x08 (u8), 0x09 (i8), 0x0b (i16), 0x0c (i32), 0x0d (f32), 0x0e (f64)",
    );
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0]))).toThrow(
      "parseIdx: truncated header: 3 dims need 16 header bytes, found 10",
    );
    expect(() => parseIdx(idxBytes(0x08, [2, 3], [1, 2, 3, 4]))).toThrow(
      "parseIdx: truncated data: shape [2,3] of u8 needs 6 data bytes, found 4",
    );
    expect(() => parseIdx(idxBytes(0x0b, [2], [0, 1, 0, 2, 0]))).toThrow(
      "parseIdx: size mismatch: shape [2] of i16 needs 4 data bytes, found 5",
    );
    const gz = gzipSync(idxBytes(0x08, [100], new Array<number>(100).fill(1)));
    expect(() => parseIdx(gz.subarray(0, gz.length - 12))).toThrow(
      /^parseIdx: expected valid gzip data after the magic bytes 1f 8b, found a corrupt or truncated stream/,
    );
    expect(() => parseIdx(untyped([0, 0, 8, 0]))).toThrow(TypeError);
  });
});

describe("encodeIdx", () => {
  it("writes the bytes parseIdx reads, for every type", () => {
    expect(encodeIdx({ shape: [2, 3], data: new Uint8Array([1, 2, 3, 250, 251, 255]) })).toEqual(
      idxBytes(0x08, [2, 3], [1, 2, 3, 250, 251, 255]),
    );
    for (const data of [
      new Int8Array([-1, 5]),
      new Int16Array([-300, 2]),
      new Int32Array([-70000, 1]),
      new Float32Array([1.5, -0.25]),
      new Float64Array([Math.PI, -1e300]),
    ]) {
      const back = parseIdx(encodeIdx({ shape: [1, 2], data }));
      expect(back.shape).toEqual([1, 2]);
      expect(back.data).toEqual(data);
    }
  });

  it("refuses a shape that does not match the data", () => {
    expect(() => encodeIdx({ shape: [2, 2], data: new Uint8Array(3) })).toThrow(
      new RangeError("encodeIdx: shape [2,2] needs 4 elements, got 3"),
    );
  });
});
