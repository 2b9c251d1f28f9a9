import { describe, expect, it } from "vitest";
import { tensor, where, type DType, type Tensor } from "./index.js";
import { resultType } from "./dtype.js";

const DTYPES: DType[] = ["int32", "float32", "float64"];

/** A tensor of `dtype`: 0-d when `zeroDim`, else of shape [2]. */
const make = (dtype: DType, zeroDim: boolean): Tensor =>
  zeroDim ? tensor(2, { dtype }) : tensor([2, 3], { dtype });

describe("promotion beside 0-d tensors", () => {
  // from torch 1.13: (a + b).dtype for a, b of every dtype, each with shape [2] or 0-d; add,
  // sub, mul, pow, maximum, minimum, where and torch.result_type all agree
  // prettier-ignore
  const TORCH: [DType, "[2]" | "0-d", DType, "[2]" | "0-d", DType][] = [
    ["int32", "[2]", "float32", "0-d", "float32"],
    ["int32", "[2]", "float64", "0-d", "float64"],
    ["float32", "[2]", "float64", "0-d", "float32"],
    ["float32", "[2]", "int32", "0-d", "float32"],
    ["float64", "[2]", "float32", "0-d", "float64"],
    ["float64", "0-d", "float32", "[2]", "float32"],
    ["float64", "0-d", "int32", "[2]", "float64"],
    ["float32", "0-d", "float64", "0-d", "float64"],
    ["int32", "0-d", "float64", "0-d", "float64"],
    ["float32", "[2]", "float64", "[2]", "float64"],
    ["int32", "[2]", "int32", "0-d", "int32"],
  ];

  it.each(TORCH)("%s %s with %s %s gives %s, as PyTorch", (da, sa, db, sb, out) => {
    const a = make(da, sa === "0-d");
    const b = make(db, sb === "0-d");
    const cond = tensor([1, 0]);
    for (const r of [a.add(b), a.sub(b), a.mul(b), a.pow(b), a.maximum(b), a.minimum(b), where(cond, a, b)]) {
      expect(r.dtype).toBe(out);
    }
    expect(a.eq(b).dtype).toBe(out); // comparisons give 0/1 in the dtype they compare in
    expect(b.add(a).dtype).toBe(out);
  });

  it("keeps ordinary promotion when both operands are 0-d or both have dims", () => {
    for (const da of DTYPES) {
      for (const db of DTYPES) {
        const higher = DTYPES.indexOf(da) >= DTYPES.indexOf(db) ? da : db;
        expect(resultType(make(da, true), make(db, true))).toBe(higher);
        expect(resultType(make(da, false), make(db, false))).toBe(higher);
      }
    }
  });

  it("counts an empty or size-1 tensor as one with dims", () => {
    // from torch 1.13: torch.zeros(0) + torch.tensor(1.5, dtype=torch.float64) is float32
    expect(tensor([], { dtype: "float32" }).add(tensor(1.5, { dtype: "float64" })).dtype).toBe("float32");
    expect(tensor([[1]]).add(tensor(1.5, { dtype: "float64" })).dtype).toBe("float32");
  });

  it("computes in the result dtype, the float64 0-d operand rounded to float32 first", () => {
    const x = tensor([0.1, 1, 3, 0.7]);
    const s = tensor(0.1, { dtype: "float64" });
    // from torch 1.13: x * s, x - s and x == s for x float32 [0.1, 1, 3, 0.7], s float64 0-d 0.1
    expect(x.mul(s).toArray()).toEqual([0.010000000707805157, 0.10000000149011612, 0.30000001192092896, 0.07000000029802322]);
    expect(x.sub(s).toArray()).toEqual([0, 0.8999999761581421, 2.9000000953674316, 0.5999999642372131]);
    expect(x.eq(s).toArray()).toEqual([1, 0, 0, 0]);
  });

  it("gives each operand its gradient in its own dtype", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const s = tensor(0.5, { dtype: "float64", requiresGrad: true });
    const y = x.mul(s);
    expect(y.dtype).toBe("float32");
    y.sum().backward();
    expect(x.grad?.dtype).toBe("float32");
    expect(x.grad?.toArray()).toEqual([0.5, 0.5, 0.5]);
    expect(s.grad?.dtype).toBe("float64");
    expect(s.grad?.item()).toBe(6);
  });

  it("keeps int32 for an integer-valued JS number, where PyTorch's 2.0 would give float32", () => {
    // NOTE: a documented departure: JS cannot tell 2.0 from 2 (torch 1.13: int32 [1, 2] + 2 is
    // the int32 [3, 4]; + 2.0 is float32)
    const i = tensor([1, 2], { dtype: "int32" });
    expect(i.add(2.0).dtype).toBe("int32");
    expect(i.add(2).toArray()).toEqual([3, 4]);
    expect(i.add(2.5).dtype).toBe("float32");
  });
});
