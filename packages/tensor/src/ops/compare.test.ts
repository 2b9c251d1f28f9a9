import { describe, expect, it } from "vitest";
import { tensor, TensorError } from "../index.js";

describe("comparisons", () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([3, 2, 1]);

  it("give 1 where the relation holds and 0 elsewhere", () => {
    expect(a.eq(b).toArray()).toEqual([0, 1, 0]);
    expect(a.gt(b).toArray()).toEqual([0, 0, 1]);
    expect(a.lt(b).toArray()).toEqual([1, 0, 0]);
    expect(a.ge(b).toArray()).toEqual([0, 1, 1]);
    expect(a.le(b).toArray()).toEqual([1, 1, 0]);
  });

  it("compare with numbers and broadcast", () => {
    expect(a.gt(1.5).toArray()).toEqual([0, 1, 1]);
    expect(
      tensor([[1], [2]])
        .eq(tensor([1, 2]))
        .toArray(),
    ).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("return the operands' promoted dtype", () => {
    const i = tensor([1, 2], { dtype: "int32" });
    expect(i.eq(i).dtype).toBe("int32");
    expect(i.lt(1.5).dtype).toBe("float32");
    expect(i.le(tensor([1, 1], { dtype: "float64" })).dtype).toBe("float64");
  });

  it("treat NaN as unequal to everything", () => {
    const n = tensor([NaN, 1]);
    expect(n.eq(n).toArray()).toEqual([0, 1]);
    expect(n.ge(0).toArray()).toEqual([0, 1]);
    expect(n.le(0).toArray()).toEqual([0, 0]);
  });

  it("never require grad, even of inputs that do", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const m = x.gt(1);
    expect(m.requiresGrad).toBe(false);
    expect(m.isLeaf).toBe(true);
    expect(() => m.sum().backward()).toThrow(
      "backward: the tensor does not require grad and has no graph to differentiate",
    );
  });

  it("read non-contiguous operands", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(x.transpose(0, 1).gt(x).toArray()).toEqual([
      [0, 1],
      [0, 0],
    ]); // [[1,3],[2,4]] > x
  });

  it("name both shapes when they do not broadcast", () => {
    expect(() => a.lt(tensor([1, 2]))).toThrow("lt: cannot broadcast [3] with [2]");
    expect(() => a.eq(tensor([[1, 2]]))).toThrow(TensorError);
  });
});
