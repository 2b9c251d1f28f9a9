import { describe, expect, it } from "vitest";
import { noGrad, Tensor, tensor, TensorError } from "./index.js";
import { isContiguous } from "./storage.js";

const base = () => Tensor.arange(6).reshape([2, 3]);

describe("views share storage", () => {
  const views: [string, (t: Tensor) => Tensor][] = [
    ["reshape", (t) => t.reshape([3, 2])],
    ["flatten", (t) => t.flatten()],
    ["transpose", (t) => t.transpose(0, 1)],
    ["permute", (t) => t.permute(1, 0)],
    ["expand", (t) => t.unsqueeze(0).expand([4, 2, 3])],
    ["slice", (t) => t.slice(1, 1, 3)],
    ["squeeze", (t) => t.unsqueeze(1).squeeze(1)],
    ["unsqueeze", (t) => t.unsqueeze(-1)],
    ["detach", (t) => t.detach()],
  ];

  it.each(views)("%s returns a view: a write through copy_ on the base shows in it", (_, make) => {
    const b = base();
    const v = make(b);
    expect(v.storage.data).toBe(b.storage.data);
    const before = v.toArray();
    b.copy_(b.add(100));
    const after = v.toArray();
    expect(after).not.toEqual(before);
    expect(v.sub(100).toArray()).toEqual(before);
  });

  it("a write into a slice view lands in the base", () => {
    const b = base();
    b.slice(1, 1, 2).copy_(tensor([[-1], [-2]]));
    expect(b.toArray()).toEqual([
      [0, -1, 2],
      [3, -2, 5],
    ]);
    b.transpose(0, 1).slice(0, 0, 1).fill_(9);
    expect(b.toArray()).toEqual([
      [9, -1, 2],
      [9, -2, 5],
    ]);
  });

  it("a slice view starts at an offset and keeps the base's strides", () => {
    const s = base().slice(1, 1).storage;
    expect(s.offset).toBe(1);
    expect(s.strides).toEqual([3, 1]);
    expect(isContiguous(s)).toBe(false);
    expect(isContiguous(base().slice(0, 1).storage)).toBe(true);
  });

  it("reshape of non-contiguous data copies", () => {
    const t = base().transpose(0, 1);
    expect(t.reshape([6]).storage.data).not.toBe(t.storage.data);
  });

  it("toArray, dataSync and item read views in logical order", () => {
    const t = base().transpose(0, 1).slice(0, 1);
    expect(t.toArray()).toEqual([
      [1, 4],
      [2, 5],
    ]);
    expect(Array.from(t.dataSync())).toEqual([1, 4, 2, 5]);
    expect(t.dataSync()).toHaveLength(4);
    expect(base().slice(1, 2).slice(0, 1).item()).toBe(5);
    expect(tensor([1]).expand([3]).dataSync()).toEqual(new Float32Array([1, 1, 1]));
  });

  it("dataSync returns a copy", () => {
    const t = base();
    t.dataSync()[0] = 100;
    expect(t.toArray()).toEqual(base().toArray());
  });
});

describe("copy_ and fill_", () => {
  it("broadcast the source and convert its dtype", () => {
    const t = Tensor.zeros([2, 2], { dtype: "int32" });
    t.copy_(tensor([1.9, -2.9]));
    expect(t.toArray()).toEqual([
      [1, -2],
      [1, -2],
    ]);
    t.fill_(7);
    expect(t.toArray()).toEqual([
      [7, 7],
      [7, 7],
    ]);
  });

  it("read a source that overlaps the destination as it was before the copy", () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    t.copy_(t.transpose(0, 1));
    expect(t.toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it("update a leaf that requires grad only inside noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.fill_(0)).toThrow(
      "fill_: a leaf that requires grad can only be updated in place inside noGrad()",
    );
    noGrad(() => w.copy_(w.mul(2)));
    expect(w.toArray()).toEqual([2, 4]);
    expect(w.requiresGrad).toBe(true);
  });

  it("refuse non-leaves, shapes that do not broadcast and self-overlapping targets", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => noGrad(() => w.mul(2)).copy_(tensor([0, 0]))).not.toThrow();
    expect(() => w.mul(2).copy_(tensor([0, 0]))).toThrow(
      "copy_: in-place updates are only allowed on leaf tensors",
    );
    expect(() => tensor([1, 2]).copy_(tensor([1, 2, 3]))).toThrow(
      "copy_: cannot broadcast [3] with [2]",
    );
    expect(() =>
      tensor([1, 2]).copy_(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow("copy_: cannot broadcast [2,2] to [2]");
    expect(() =>
      tensor([1])
        .expand([3])
        .copy_(tensor([1, 2, 3])),
    ).toThrow("copy_: several elements of this [3] view share memory");
    const t = tensor([1, 2]);
    expect(() => t.copy_("x" as never)).toThrow(TensorError);
    expect(t.toArray()).toEqual([1, 2]);
  });
});
