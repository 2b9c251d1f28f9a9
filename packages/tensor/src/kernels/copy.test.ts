import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import { Tensor } from "../tensor.js";
import { emptyStorage, view } from "../storage.js";
import { castStorage, copyInto } from "./copy.js";

describe("castStorage", () => {
  it("copies large strided matrices block by block into the same elements as the row walk", () => {
    const r = new Rng(0);
    for (const [rows, cols] of [
      [33, 70],
      [97, 40],
      [64, 64],
    ]) {
      const t = Tensor.randn([cols, rows], { rng: r }).transpose(0, 1).storage;
      // the transpose, and a window of it that starts at an offset
      const window = view(t, [rows, cols - 5], t.strides, t.offset + 3 * t.strides[1]);
      for (const s of [t, window]) {
        const expected = emptyStorage("float32", s.shape);
        copyInto(expected, s);
        const copy = castStorage(s, "float32");
        expect(copy.shape).toEqual(s.shape);
        expect(Array.from(copy.data)).toEqual(Array.from(expected.data));
        expect(Array.from(castStorage(s, "float64").data)).toEqual(Array.from(expected.data));
      }
    }
  });
});
