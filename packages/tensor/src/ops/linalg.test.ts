import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  getBackend,
  gradcheck,
  isWasmAvailable,
  linear,
  noGrad,
  Rng,
  setBackend,
  Tensor,
  TensorError,
  tensor,
  zeros,
  type Backend,
  type DType,
  type Shape,
} from "../index.js";

const rng = (): Rng => new Rng(0);
const randn = (shape: Shape, r: Rng, dtype: DType = "float64"): Tensor =>
  Tensor.randn(shape, { rng: r, dtype });

/** A matmul that shares no code with the gemm kernel: broadcast multiply, then sum over k. */
function reference(a: Tensor, b: Tensor): Tensor {
  const a64 = a.to("float64");
  const b64 = b.to("float64");
  return a64.unsqueeze(-1).mul(b64.unsqueeze(-3)).sum(-2);
}

/** Runs the enclosing describe's tests on `backend`, restoring the previous one after each. */
function useBackend(backend: Backend): void {
  let previous: Backend = "js";
  beforeEach(() => {
    previous = getBackend();
    setBackend(backend);
  });
  afterEach(() => setBackend(previous));
}

function expectClose(actual: Tensor, expected: Tensor, tol: number): void {
  expect(actual.shape).toEqual(expected.shape);
  const x = actual.dataSync();
  const y = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

// every forward test runs on both backends: float64 data on the js path (exact up to 1e-12),
// float32 data on the wasm path (float32 rounding of sums over k products)
for (const backend of ["js", "wasm"] as const) {
  const skip = backend === "wasm" && !isWasmAvailable();
  const dtype: DType = backend === "wasm" ? "float32" : "float64";
  const tol = backend === "wasm" ? 2e-5 : 1e-12;
  const tolBig = backend === "wasm" ? 1e-3 : 1e-11;

  describe.skipIf(skip)(`matmul forms (${backend} backend)`, () => {
    useBackend(backend);
    it("takes the dot product of two vectors as a 0-d tensor", () => {
      const out = tensor([1, 2, 3]).matmul(tensor([4, 5, 6]));
      expect(out.shape).toEqual([]);
      expect(out.item()).toBe(32);
    });

    it("multiplies a vector by a matrix and a matrix by a vector", () => {
      expect(
        tensor([1, 2])
          .matmul(
            tensor([
              [1, 2, 3],
              [4, 5, 6],
            ]),
          )
          .toArray(),
      ).toEqual([9, 12, 15]);
      expect(
        tensor([
          [1, 2],
          [3, 4],
        ])
          .matmul(tensor([1, -1]))
          .toArray(),
      ).toEqual([-1, -1]);
    });

    it("multiplies 2-D matrices", () => {
      expect(
        tensor([
          [1, 2],
          [3, 4],
        ])
          .matmul(tensor([[5], [6]]))
          .toArray(),
      ).toEqual([[17], [39]]);
      expect(
        tensor([[1, 2, 3]])
          .matmul(
            tensor([
              [1, 0],
              [0, 1],
              [1, 1],
            ]),
          )
          .toArray(),
      ).toEqual([[4, 5]]);
    });

    it("multiplies batches, broadcasting the batch dims", () => {
      const r = rng();
      const a = randn([2, 1, 3, 4], r, dtype);
      const b = randn([5, 4, 2], r, dtype);
      const out = a.matmul(b);
      expect(out.shape).toEqual([2, 5, 3, 2]);
      expectClose(out, reference(a, b), tol);
      const c = randn([3, 2, 4], r, dtype);
      const d = randn([3, 4, 5], r, dtype);
      expectClose(c.matmul(d), reference(c, d), tol);
    });

    it("treats a 1-D operand of a batched product as a row or a column", () => {
      const r = rng();
      const v = randn([4], r, dtype);
      const b = randn([5, 4, 2], r, dtype);
      const vb = v.matmul(b);
      expect(vb.shape).toEqual([5, 2]);
      expectClose(vb, reference(v.unsqueeze(0), b).squeeze(-2), tol);
      const w = randn([4], r, dtype);
      const bv = b.transpose(-2, -1).matmul(w);
      expect(bv.shape).toEqual([5, 2]);
      expectClose(bv, reference(b.transpose(-2, -1), w.unsqueeze(1)).squeeze(-1), tol);
    });

    it("multiplies a batch by a shared matrix as one tall product", () => {
      const r = rng();
      const a = randn([3, 5, 4], r, dtype);
      const b = randn([4, 6], r, dtype);
      expectClose(a.matmul(b), reference(a, b), tol);
      // single rows per batch, and a batch of rows read with a gap between them
      const rows = randn([6, 1, 4], r, dtype);
      expectClose(rows.matmul(b), reference(rows, b), tol);
      const gappy = randn([4, 3, 4], r, dtype).slice(1, 0, 2);
      expectClose(gappy.matmul(b), reference(gappy, b), tol);
      const repeated = randn([1, 1, 4], r, dtype).expand([5, 1, 4]); // one row read for every batch
      expectClose(repeated.matmul(b), reference(repeated, b), tol);
      const expandedBatch = randn([1, 3, 4], r, dtype).expand([5, 3, 4]);
      expectClose(expandedBatch.matmul(b), reference(expandedBatch, b), tol);
    });
  });

  describe.skipIf(skip)(`matmul operands and sizes (${backend} backend)`, () => {
    useBackend(backend);
    it("reads transposed, sliced, permuted and expanded operands without copying them first", () => {
      const r = rng();
      const at = randn([9, 7], r, dtype).transpose(0, 1); // [7, 9] with row stride 1
      const bt = randn([5, 9], r, dtype).transpose(0, 1); // [9, 5]
      expectClose(at.matmul(bt), reference(at, bt), tol);
      const sliced = randn([10, 12], r, dtype).slice(0, 2, 9).slice(1, 3, 12); // [7, 9], offset and gaps
      expectClose(sliced.matmul(bt), reference(sliced, bt), tol);
      const permuted = randn([4, 3, 2, 5], r, dtype).permute(2, 0, 3, 1); // [2, 4, 5, 3]
      const other = randn([4, 3, 6], r, dtype);
      expectClose(permuted.matmul(other), reference(permuted, other), tol);
      const expanded = randn([1, 9], r, dtype).expand([7, 9]); // every row the same data
      expectClose(expanded.matmul(bt), reference(expanded, bt), tol);
    });

    it("is exact at odd and prime sizes that cross every cache block", () => {
      const r = rng();
      for (const [m, k, n] of [
        [67, 263, 131],
        [3, 5, 2053],
        [1, 300, 1],
        [13, 1, 17],
      ]) {
        const a = randn([m, k], r, dtype);
        const b = randn([k, n], r, dtype);
        expectClose(a.matmul(b), reference(a, b), tolBig);
        // the same values stored column-major: both operands read with row stride 1
        const aCols = a.transpose(0, 1).clone().transpose(0, 1);
        const bCols = b.transpose(0, 1).clone().transpose(0, 1);
        expectClose(aCols.matmul(bCols), reference(a, b), tolBig);
      }
    });

    it("handles sizes 1 and 0", () => {
      expect(
        tensor([[3]])
          .matmul(tensor([[4]]))
          .toArray(),
      ).toEqual([[12]]);
      expect(Tensor.zeros([0, 3]).matmul(Tensor.zeros([3, 4])).shape).toEqual([0, 4]);
      expect(
        Tensor.ones([3, 0])
          .matmul(Tensor.ones([0, 2]))
          .toArray(),
      ).toEqual([
        [0, 0],
        [0, 0],
        [0, 0],
      ]);
      expect(Tensor.ones([2, 0, 3]).matmul(Tensor.ones([3, 5])).shape).toEqual([2, 0, 5]);
      expect(tensor([]).matmul(tensor([])).item()).toBe(0);
    });
  });
}

describe("matmul dtypes", () => {
  it("keeps the dtype: float64 exactly, float32 to float32 rounding, int32 as integers", () => {
    const r = rng();
    const a = randn([20, 30], r, "float64");
    const b = randn([30, 10], r, "float64");
    const out32 = a.to("float32").matmul(b.to("float32"));
    expect(out32.dtype).toBe("float32");
    expectClose(out32, reference(a.to("float32"), b.to("float32")), 1e-5);
    const ints = tensor(
      [
        [1, -2, 3],
        [4, 5, -6],
      ],
      { dtype: "int32" },
    );
    const product = ints.matmul(tensor([[7], [8], [9]], { dtype: "int32" }));
    expect(product.dtype).toBe("int32");
    expect(product.toArray()).toEqual([[18], [14]]);
    expect(a.to("float32").matmul(b).dtype).toBe("float64");
  });
});

describe("matmul errors", () => {
  it("names both shapes when the inner dims do not align", () => {
    expect(() => Tensor.zeros([64, 784]).matmul(Tensor.zeros([256, 784]))).toThrow(
      "matmul: shapes [64,784] and [256,784] do not align (784 != 256)",
    );
  });
  it("refuses 0-d operands", () => {
    expect(() => tensor(2).matmul(Tensor.zeros([2]))).toThrow(
      "matmul: both operands need at least 1 dim, got [] and [2]",
    );
  });
  it("names both shapes when the batch dims do not broadcast", () => {
    expect(() => Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5]))).toThrow(
      "matmul: batch dims of [2,3,4] and [3,4,5] do not broadcast",
    );
  });
});

describe("matmul gradients", () => {
  it("are correct for 2-D operands", () =>
    gradcheck(
      (a, b) => a.matmul(b),
      [
        [3, 4],
        [4, 5],
      ],
    ));
  it("are correct for batched operands", () =>
    gradcheck(
      (a, b) => a.matmul(b),
      [
        [2, 3, 4],
        [2, 4, 5],
      ],
    ));
  it("are correct for broadcast batch dims", () => {
    gradcheck(
      (a, b) => a.matmul(b),
      [
        [2, 1, 3, 4],
        [5, 4, 2],
      ],
    );
    gradcheck(
      (a, b) => a.matmul(b),
      [
        [2, 3, 4],
        [4, 5],
      ],
    );
  });
  it("are correct for 1-D operands", () => {
    gradcheck((a, b) => a.matmul(b), [[4], [4]]);
    gradcheck((a, b) => a.matmul(b), [[4], [3, 4, 2]]);
    gradcheck((a, b) => a.matmul(b), [[3, 4], [4]]);
  });
  it("are correct through transposed operands", () =>
    gradcheck(
      (a, b) => a.transpose(0, 1).matmul(b.transpose(0, 1)),
      [
        [4, 3],
        [5, 4],
      ],
    ));
});

describe("linear", () => {
  const gen = new Rng(3);
  const rand = (shape: number[]): Tensor => randn(shape, gen, "float32");

  it("computes x·weightᵀ + bias over the last dim, like matmul and add", () => {
    const x = rand([2, 5, 7]);
    const w = rand([4, 7]);
    const b = rand([4]);
    const y = linear(x, w, b);
    expect(y.shape).toEqual([2, 5, 4]);
    const expected = x.matmul(w.transpose(0, 1)).add(b).toArray() as number[][][];
    const got = y.toArray() as number[][][];
    got.flat(2).forEach((v, i) => expect(v).toBeCloseTo(expected.flat(2)[i], 5));
    expect(linear(rand([7]), w).shape).toEqual([4]);
  });

  it("gives the same gradients as the matmul-and-add form", () => {
    const x = rand([6, 5]);
    x.requiresGrad = true;
    const w = rand([3, 5]);
    w.requiresGrad = true;
    const b = rand([3]);
    b.requiresGrad = true;
    const g = rand([6, 3]);
    linear(x, w, b).backward(g);
    const fused = [x, w, b].map((t) => t.grad!.toArray() as number[] | number[][]);
    const grads = [x, w, b].map((t) => {
      const leaf = t.detach();
      leaf.requiresGrad = true;
      return leaf;
    });
    grads[0].matmul(grads[1].transpose(0, 1)).add(grads[2]).backward(g);
    grads.forEach((t, i) => {
      const want = (t.grad!.toArray() as number[] | number[][]).flat();
      fused[i].flat().forEach((v, j) => expect(v).toBeCloseTo(want[j], 5));
    });
    expect(w.grad!.shape).toEqual([3, 5]);
  });

  it("promotes dtypes like matmul and add, and records no graph under noGrad", () => {
    const x = tensor([[1, 2]], { dtype: "int32" });
    const w = tensor([[0.5, 0.25]], { requiresGrad: true });
    expect(linear(x, w).dtype).toBe("float32");
    expect(linear(x, w, tensor([1], { dtype: "float64" })).dtype).toBe("float64");
    expect(linear(x, w).toArray()).toEqual([[1]]);
    expect(noGrad(() => linear(x, w)).requiresGrad).toBe(false);
  });

  it("names the shapes it cannot use", () => {
    expect(() => linear(zeros([2, 3]), zeros([4, 5]))).toThrow(
      new TensorError("linear: expected x [..., in] and weight [out, in], got [2,3], [4,5]"),
    );
    expect(() => linear(zeros([2, 3]), zeros([4, 3]), zeros([5]))).toThrow(
      new TensorError("linear: bias must be [out] = [4], got [2,3], [4,3], [5]"),
    );
    expect(() => linear(zeros([]), zeros([4, 3]))).toThrow(TensorError);
  });
});
