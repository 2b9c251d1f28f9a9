import { describe, expect, it } from "vitest";
import { defineOp, dropout, isGradEnabled, maxPool2d, noGrad, Rng, Tensor, tensor, TensorError } from "../index.js";
import { isScratch } from "./scratch.js";

const leaf = (data: number[]) => tensor(data, { requiresGrad: true, dtype: "float64" });

describe("backward", () => {
  it("accumulates into .grad over two backward calls, as PyTorch does", () => {
    const x = leaf([1, 2]);
    x.mul(x).sum().backward();
    x.mul(3).sum().backward();
    expect(x.grad?.toArray()).toEqual([2 + 3, 4 + 3]);
  });

  it("runs twice over the same graph when the first call retains it", () => {
    const x = leaf([1, 2]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad?.toArray()).toEqual([2 * Math.exp(1), 2 * Math.exp(2)]);
  });

  it("refuses a second backward through a freed graph, changing nothing", () => {
    const x = leaf([1, 2]);
    const h = x.exp();
    const y = h.sum();
    y.backward();
    const message =
      "backward: the graph was already freed by an earlier backward() (at sum); pass { retainGraph: true } to the first call to backward through it again";
    expect(() => y.backward()).toThrow(new TensorError(message));
    // a new output over part of the freed graph is refused too, as in PyTorch
    expect(() => h.mul(2).sum().backward()).toThrow("backward: the graph was already freed by an earlier backward() (at exp)");
    expect(x.grad?.toArray()).toEqual([Math.exp(1), Math.exp(2)]);
    // a graph built anew from the same leaves is fine
    x.exp().sum().backward();
    expect(x.grad?.toArray()).toEqual([2 * Math.exp(1), 2 * Math.exp(2)]);
  });

  it("keeps what the forward saved (max-pooling's winners, dropout's mask) for a retained graph", () => {
    const x = tensor([[[[1, 5], [3, 2]]]], { requiresGrad: true, dtype: "float64" });
    const y = x.mul(2);
    const pooled = maxPool2d(y, 2).sum();
    pooled.backward(undefined, { retainGraph: true });
    pooled.backward(undefined, { retainGraph: true });
    const kept = dropout(y, 0.5, true, { rng: new Rng(3) }).sum();
    kept.backward(undefined, { retainGraph: true });
    const once = x.grad!.toArray();
    kept.backward();
    expect(x.grad!.sub(tensor(once, { dtype: "float64" })).toArray()).toEqual(tensor(once, { dtype: "float64" }).sub(tensor([[[[0, 4], [0, 0]]]], { dtype: "float64" })).toArray());
    expect(() => kept.backward()).toThrow(TensorError);
  });

  it("runs a 10,000-op chain without overflowing the stack", () => {
    const x = leaf([1]);
    let y = x;
    for (let i = 0; i < 10_000; i++) y = y.mul(1.0001);
    y.sum().backward();
    expect(x.grad!.item()).toBeCloseTo(1.0001 ** 10_000, 8);
  });

  it("adds the gradients of every path through a diamond", () => {
    const x = leaf([2]);
    const a = x.mul(3);
    const b = a.exp(); // x → a → b, and a → c
    const c = a.mul(a);
    b.add(c).sum().backward(); // d/dx = 3e^(3x) + 2·(3x)·3
    expect(x.grad!.item()).toBeCloseTo(3 * Math.exp(6) + 36, 9);
  });

  it("counts an input used twice by one op twice", () => {
    const x = leaf([3]);
    x.mul(x).backward();
    expect(x.grad!.item()).toBe(6);
  });

  it("takes an explicit gradient for a non-scalar output", () => {
    const x = leaf([1, 2, 3]);
    x.mul(2).backward(tensor([1, 0, -1]));
    expect(x.grad?.toArray()).toEqual([2, 0, -2]);
    const y = leaf([1, 2]);
    y.pow(2).backward(tensor([1, 1], { dtype: "int32" }));
    expect(y.grad?.toArray()).toEqual([2, 4]);
  });

  it("leaves .grad of non-leaves and of tensors that do not require grad null", () => {
    const x = leaf([1, 2]);
    const c = tensor([3, 4], { dtype: "float64" });
    const h = x.mul(c);
    h.sum().backward();
    expect(h.grad).toBeNull();
    expect(h.isLeaf).toBe(false);
    expect(c.grad).toBeNull();
    expect(x.grad?.toArray()).toEqual([3, 4]);
  });

  it("gives each leaf a gradient of its own dtype and shape, in fresh memory", () => {
    const w = tensor([[1, 2]], { requiresGrad: true }); // float32
    const b = tensor([0.5], { requiresGrad: true });
    w.to("float64")
      .mul(tensor([[2, 3]], { dtype: "float64" }))
      .add(b)
      .sum()
      .backward();
    expect(w.grad?.dtype).toBe("float32");
    expect(w.grad?.toArray()).toEqual([[2, 3]]);
    expect(b.grad?.shape).toEqual([1]);
    expect(b.grad?.toArray()).toEqual([2]);
    const s = tensor([1, 2], { requiresGrad: true });
    s.sum().backward(); // the gradient of sum is a broadcast view; .grad must not be one
    expect(s.grad?.storage.strides).toEqual([1]);
  });

  it("sends no gradient to int32 inputs", () => {
    const x = leaf([1, 2]);
    const i = tensor([3, 4], { dtype: "int32" });
    x.mul(i).sum().backward();
    expect(x.grad?.toArray()).toEqual([3, 4]);
    expect(i.grad).toBeNull();
  });
});

describe("backward errors", () => {
  it("refuses a non-scalar output without a gradient", () => {
    expect(() => leaf([1, 2]).mul(2).backward()).toThrow(
      "backward: output has shape [2]; pass a gradient of that shape or reduce to a scalar",
    );
    expect(() => Tensor.zeros([64, 10], { requiresGrad: true }).mul(2).backward()).toThrow(
      "backward: output has shape [64,10]; pass a gradient of that shape or reduce to a scalar",
    );
  });

  it("refuses a gradient of the wrong shape, or not a tensor", () => {
    expect(() =>
      leaf([1, 2])
        .mul(2)
        .backward(tensor([1, 2, 3])),
    ).toThrow("backward: gradient has shape [3], expected [2]");
    expect(() =>
      leaf([1, 2])
        .mul(2)
        .backward([1, 1] as never),
    ).toThrow("backward: the gradient must be a tensor, got object");
  });

  it("refuses a tensor with no graph", () => {
    expect(() => tensor([1]).backward()).toThrow(
      "backward: the tensor does not require grad and has no graph to differentiate",
    );
  });

  it("names the op whose backward returns a gradient of the wrong shape, and updates no leaf", () => {
    const bad = defineOp<undefined>({
      name: "bad",
      check: () => undefined,
      forward: ([x]) => x,
      backward: (g) => [g.reshape([-1]).slice(0, 0, 1).expand([4, 3])],
    });
    const x = leaf([1, 2, 3]);
    const y = leaf([5]);
    // y comes first in the backward order, before the bad op is reached
    const out = bad([x.reshape([3, 1])], undefined)
      .sum()
      .add(y);
    expect(() => out.backward()).toThrow(
      "bad.backward: gradient for input 0 has shape [4,3], expected [3,1]",
    );
    expect(y.grad).toBeNull(); // nothing is written when the pass fails
    expect(x.grad).toBeNull();
  });
});

describe("requiresGrad and .grad", () => {
  it("only float tensors can require grad", () => {
    const i = tensor([1], { dtype: "int32" });
    expect(() => (i.requiresGrad = true)).toThrow(
      "requiresGrad: only float tensors can require grad, got int32",
    );
    expect(() => new Tensor(i.storage, true)).toThrow(TensorError);
  });

  it("cannot be turned off on a non-leaf", () => {
    const y = leaf([1]).mul(2);
    expect(() => (y.requiresGrad = false)).toThrow(
      "requiresGrad: cannot turn off requiresGrad of a non-leaf tensor; use detach()",
    );
  });

  it(".grad takes null or a tensor of the same shape and dtype", () => {
    const w = leaf([1, 2]);
    w.grad = tensor([3, 4], { dtype: "float64" });
    w.mul(1).sum().backward();
    expect(w.grad?.toArray()).toEqual([4, 5]);
    w.grad = null;
    expect(w.grad).toBeNull();
    expect(() => (w.grad = tensor([1, 2]))).toThrow(
      "grad: expected null or a float64 tensor of shape [2], got float32 [2]",
    );
    expect(() => (w.grad = tensor([1], { dtype: "float64" }))).toThrow(TensorError);
  });
});

describe("noGrad and detach", () => {
  it("noGrad records nothing and restores grad mode, even when fn throws", () => {
    const x = leaf([1]);
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    noGrad(() => noGrad(() => undefined));
    expect(isGradEnabled()).toBe(true);
  });

  it("detach shares the data but cuts the graph", () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.storage.data).toBe(y.storage.data);
    y.add(d.mul(100)).sum().backward(); // the detached branch contributes nothing
    expect(x.grad?.toArray()).toEqual([2, 2]);
  });
});

describe("leaf gradients own their memory", () => {
  const shares = (a: Tensor, b: Tensor): boolean => a.storage.data.buffer === b.storage.data.buffer;

  it("gives two leaves of one add separate gradients", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.mul(b).add(b.mul(a)).backward(tensor([1, 1]));
    const c = tensor([1, 2], { requiresGrad: true });
    const d = tensor([3, 4], { requiresGrad: true });
    c.add(d).backward(tensor([5, 6]));
    expect(shares(c.grad!, d.grad!)).toBe(false);
    c.grad!.storage.data[0] = 100;
    expect(d.grad!.toArray()).toEqual([5, 6]);
  });

  it("copies a gradient an op's backward returns from elsewhere, and the gradient passed in", () => {
    const constant = tensor([7, 8]);
    const passThrough = defineOp<undefined>({
      name: "constantGradient",
      check: () => undefined,
      forward: ([x]) => x,
      backward: () => [constant],
    });
    const x = tensor([1, 2], { requiresGrad: true });
    passThrough([x], undefined).backward(tensor([1, 1]));
    expect(x.grad!.toArray()).toEqual([7, 8]);
    expect(shares(x.grad!, constant)).toBe(false);
    const y = tensor([1, 2], { requiresGrad: true });
    const g = tensor([3, 4]);
    y.backward(g);
    expect(shares(y.grad!, g)).toBe(false);
  });

  it("keeps a gradient computed in the pass without copying, and its values right", () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const x = tensor([[1, 0], [0, 1], [1, 1]]);
    x.matmul(w).sum().backward();
    expect(w.grad!.toArray()).toEqual([[2, 2], [2, 2]]);
    const v = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const r = v.reshape([4]);
    v.mul(2).reshape([4]).add(r).sum().backward();
    expect(v.grad!.toArray()).toEqual([[3, 3], [3, 3]]);
  });
});

describe("gradients handed over as scratch", () => {
  // an identity op that records whether the engine let its backward overwrite g
  const seen: boolean[] = [];
  const probe = defineOp<undefined>({
    name: "probe",
    check: () => undefined,
    forward: ([x]) => x,
    backward: (g) => {
      seen.push(isScratch(g));
      return [g];
    },
  });
  const w = tensor([2, -3, 5, 7], { dtype: "float32" });
  const x32 = (data: number[]) => tensor(data, { requiresGrad: true, dtype: "float32" });

  it("hands a gradient computed in the pass and held by nothing else to the op that receives it", () => {
    seen.length = 0;
    probe([x32([1, 2, 3, 4])], undefined).mul(w).sum().backward();
    expect(seen).toEqual([true]);
  });

  it("does not when another path, a leaf or the caller holds the same gradient", () => {
    seen.length = 0;
    const x = x32([1, 2, 3, 4]);
    const y = x32([1, 1, 1, 1]);
    // add passes one gradient to both sides: to the probe and to the leaf y
    probe([x], undefined).add(y).mul(w).sum().backward();
    // the same, with the probe on both sides of the add
    probe([x], undefined).add(probe([y], undefined)).mul(w).sum().backward();
    // the gradient given to backward() belongs to the caller
    probe([x], undefined).backward(tensor([1, 1, 1, 1], { dtype: "float32" }));
    expect(seen).toEqual([false, false, false, false]);
    expect(y.grad!.toArray()).toEqual([4, -6, 10, 14]);
  });

  it("keeps relu's gradients right when relu masks a shared gradient or its own in place", () => {
    const a = x32([1, -2, 3, -4]);
    const b = x32([-1, 2, -3, 4]);
    const c = x32([5, 6, -7, 8]);
    // both relus receive the one gradient add passes on; c's relu receives a fresh one of its own
    a.relu().add(b.relu()).mul(w).add(c.relu().mul(w)).sum().backward();
    expect(a.grad!.toArray()).toEqual([2, 0, 5, 0]);
    expect(b.grad!.toArray()).toEqual([0, -3, 0, 7]);
    expect(c.grad!.toArray()).toEqual([2, -3, 0, 7]);
  });

  it("keeps relu's gradient right when it masks a large gradient in place (the SIMD kernel)", () => {
    const n = 5003;
    const x = tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i)), { requiresGrad: true });
    const scale = tensor(Float32Array.from({ length: n }, (_, i) => i % 7));
    x.relu().mul(scale).sum().backward();
    const want = Array.from({ length: n }, (_, i) => (Math.fround(Math.sin(i)) > 0 ? i % 7 : 0));
    expect(Array.from(x.grad!.storage.data)).toEqual(want);
  });
});
