// embedding, layerNorm and scaledDotProductAttention against values PyTorch produced, their
// float32 paths, and their errors. Gradients of every form are also gradchecked in gradcheck.test.ts.
import { beforeEach, describe, expect, it } from "vitest";
import {
  embedding,
  layerNorm,
  manualSeed,
  scaledDotProductAttention,
  Tensor,
  tensor,
  TensorError,
  type Shape,
} from "../index.js";

beforeEach(() => manualSeed(0));

/** A float64 leaf of `shape` holding `values`. */
const leaf = (values: number[], shape: Shape): Tensor => tensor(values, { shape, dtype: "float64", requiresGrad: true });
const f64 = (values: number[], shape: Shape): Tensor => tensor(values, { shape, dtype: "float64" });

/** Asserts `actual` holds `expected` (row-major) to `digits` decimals; NaN must meet NaN. */
function expectValues(actual: Tensor | null, expected: number[], digits = 7): void {
  expect(actual).not.toBeNull();
  const values = Array.from(actual?.dataSync() ?? []);
  expect(values.length).toBe(expected.length);
  values.forEach((v, i) => {
    if (Number.isNaN(expected[i])) expect(v).toBeNaN();
    else expect(v).toBeCloseTo(expected[i], digits);
  });
}

// Inputs and expected values below came from torch 1.13 (float64), rounded to 8 decimals.
// prettier-ignore
const TORCH = {
  embedding: {
    w: [-1.0, -0.39, 0.22, 0.83, -0.56, 0.05, 0.66, -0.73, -0.12, 0.49, -0.9, -0.29],
    out: [0.83, -0.56, 0.05, 0.49, -0.9, -0.29, 0.83, -0.56, 0.05, -1.0, -0.39, 0.22],
    gw: [0.11, 0.4, 0.69, -1.26, -0.68, -0.1, 0.0, 0.0, 0.0, 0.37, 0.66, 0.95],
    gout: [-0.5, -0.21, 0.08, 0.37, 0.66, 0.95, -0.76, -0.47, -0.18, 0.11, 0.4, 0.69],
  },
  layerNorm: {
    x: [-1.0, -0.47, 0.06, 0.59, -0.88, -0.35, 0.18, 0.71, -0.76, -0.23, 0.3, 0.83, -0.64, -0.11, 0.42, 0.95, -0.52, 0.01, 0.54, -0.93, -0.4, 0.13, 0.66, -0.81],
    w: [-0.7, 0.13, 0.96, -0.21],
    b: [-0.1, 0.37, 0.84, -0.69],
    go: [-0.8, -0.09, 0.62, -0.67, 0.04, 0.75, -0.54, 0.17, 0.88, -0.41, 0.3, -0.99, -0.28, 0.43, -0.86, -0.15, 0.56, -0.73, -0.02, 0.69, -0.6, 0.11, 0.82, -0.47],
    y: [0.83913518, 0.31186306, 1.26931894, -0.97174055, 0.83913518, 0.31186306, 1.26931894, -0.97174055, 0.83913518, 0.31186306, 1.26931894, -0.97174055, 0.83913518, 0.31186306, 1.26931894, -0.97174055, 0.27321884, 0.4252147, 2.16732164, -0.42242107, 0.27321884, 0.4252147, 2.16732164, -0.42242107],
    gx: [0.23845896, -0.61646938, 0.51757752, -0.1395671, -0.00455184, 0.31507168, -0.61647248, 0.30595264, -0.25433775, 0.22055922, 0.32182721, -0.28804868, 0.21146299, 0.20706869, -1.04849331, 0.62996163, -0.33561293, 0.05991731, 0.05529912, 0.2203965, 0.34199511, -0.71360299, 0.36094772, 0.01066016],
    gw: [0.23598626, -0.56743256, 0.8914419, -2.48058035],
    gb: [-0.2, 0.06, 0.32, -1.42],
  },
  layerNorm2: {
    y: [-1.52344561, -0.64101263, 0.24142034, 1.12385332, -1.32364946, -0.44121649, 0.44121649, 1.32364946, -1.12385332, -0.24142034, 0.64101263, 1.52344561, -0.98844806, -0.08779911, 0.81284984, 1.71349878, -0.78452754, 0.11612141, 1.01677035, -1.48125597, -0.58060703, 0.32004192, 1.22069087, -1.27733546],
    gx: [-1.63722441, -0.21881388, 1.19959666, -0.71192856, -0.18515328, 1.23325726, -0.67826796, 0.74014257, 1.26691785, -0.64460737, 0.77380317, -1.13772205, -0.44681768, 0.79780724, -1.35624312, -0.11161821, 0.98925126, -1.1647991, 0.07982582, 1.18069529, -0.97335507, 0.27126985, 1.51589476, -0.78191104],
  },
  indexSelect: {
    x: [-1.0, -0.59, -0.18, 0.23, 0.64, -0.95, -0.54, -0.13, 0.28, 0.69, -0.9, -0.49],
    out: [0.23, -1.0, 0.23, -0.13, 0.64, -0.13, -0.49, 0.28, -0.49],
    gx: [-0.7, 0.0, 0.0, -1.4, 0.2, 0.0, 0.0, 0.4, -0.9, 0.0, 0.0, 0.2],
    go: [-1.0, -0.7, -0.4, -0.1, 0.2, 0.5, 0.8, -0.9, -0.6],
  },
  softmaxInf: {
    out: [NaN, NaN, NaN, 0.26894142, 0.0, 0.73105858],
  },
  sdpa: {
    q: [-1.0, -0.43, 0.14, 0.71, -0.72, -0.15, 0.42, 0.99, -0.44, 0.13, 0.7, -0.73, -0.16, 0.41, 0.98, -0.45, 0.12, 0.69, -0.74, -0.17, 0.4, 0.97, -0.46, 0.11],
    k: [-0.9, -0.47, -0.04, 0.39, 0.82, -0.75, -0.32, 0.11, 0.54, 0.97, -0.6, -0.17, 0.26, 0.69, -0.88, -0.45, -0.02, 0.41, 0.84, -0.73, -0.3, 0.13, 0.56, 0.99, -0.58, -0.15, 0.28, 0.71, -0.86, -0.43, 0.0, 0.43, 0.86, -0.71, -0.28, 0.15, 0.58, -0.99, -0.56, -0.13],
    v: [-0.8, -0.13, 0.54, -0.79, -0.12, 0.55, -0.78, -0.11, 0.56, -0.77, -0.1, 0.57, -0.76, -0.09, 0.58, -0.75, -0.08, 0.59, -0.74, -0.07],
    go: [-0.6, -0.29, 0.02, 0.33, 0.64, 0.95, -0.74, -0.43, -0.12, 0.19, 0.5, 0.81],
    floatMask: [-0.7, 0.07, 0.84, -0.39, 0.38, -0.85, -0.08, 0.69, -0.54, 0.23, -1.0, -0.23, 0.54, -0.69, 0.08],
    plain: {
      out: [-0.27175162, -0.26080842, -0.22780788, -0.26294333, -0.03741839, -0.33016536, -0.19966829, 0.0543944, -0.23115252, 0.05871991, -0.23105083, 0.09988356],
      gq: [-0.08163727, -0.02539943, -0.02029971, 0.03625309, -0.00581313, 0.02153695, -0.02071722, 0.00657964, 0.05032266, 0.05920909, -0.020317, -0.00791777, -0.00299746, -0.01691161, -0.01691161, -0.01691161, 0.02642026, 0.00035825, 0.00035825, 0.00035825, 0.05217795, 0.02310122, 0.02310122, 0.02310122],
      gk: [-0.05059368, -0.03006151, -0.00952935, 0.06924325, 0.03991997, 0.01356477, -0.01279042, -0.03025917, -0.02117996, 0.01357985, 0.04833967, -0.04043992, -0.00897742, -0.01048328, -0.01198914, 0.03051831, 0.04083109, 0.01340017, -0.01403076, -0.02906247, 0.02715395, 0.0383479, -0.066181, 0.02145878, -0.02481042, -0.01472515, 0.07055915, -0.02994153, -0.00860946, -0.04956876, 0.00513451, 0.01222948, 0.02585344, 0.04606998, -0.0553119, 0.01556784, -0.01958751, -0.02012398, 0.04579924, -0.01931457],
      gv: [-0.12074688, 0.18931488, -0.013189, 0.13347648, 0.03232492, 0.16075844, 0.03100862, 0.16183775, 0.13060235, 0.34461244, -0.10085175, 0.10657545, -0.09636686, 0.09426534, -0.09193806, 0.08400717, -0.03402509, 0.15056783, -0.03681825, 0.13458421],
    },
    causal: {
      out: [-0.8, -0.13, -0.38330354, -0.33523855, -0.21435969, -0.08859555, -0.1, 0.57, -0.43230996, 0.23769004, -0.12333755, -0.0273806],
      gq: [0.0, 0.0, 0.0, 0.0, -0.03519545, 0.00572949, 0.00572949, 0.00572949, 0.11313948, 0.1630851, -0.05371033, -0.05371033, 0.0, 0.0, 0.0, 0.0, 0.00161692, 0.00161692, 0.00161692, 0.00161692, 0.03588376, 0.03588376, 0.03588376, 0.03588376],
      gk: [0.02197398, -0.01391461, -0.0498032, 0.08115803, 0.02572102, -0.00017709, -0.02607521, -0.00202769, -0.047695, 0.0140917, 0.0758784, -0.07913033, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.03854279, 0.09577038, -0.04780059, 0.009427, -0.02513011, -0.06324462, 0.032376, -0.00573851, -0.01341268, -0.03252576, 0.01542459, -0.00368849, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
      gv: [-0.32837698, 0.32011549, 0.18037483, 0.36113131, 0.20800215, 0.3087532, 0.0, 0.0, 0.0, 0.0, -0.60863031, -0.02632647, 0.10511954, 0.36383904, 0.14351076, 0.23248744, 0.0, 0.0, 0.0, 0.0],
    },
    bool: {
      out: [-0.67551825, -0.00551825, -0.38330354, -0.33523855, 0.12939841, -0.55791265, 0.13113779, 0.13626076, -0.43230996, 0.23769004, -0.38647796, 0.28352204],
      gq: [-0.05277373, -0.05277373, 0.01704415, 0.01704415, -0.03519545, 0.00572949, 0.00572949, 0.00572949, -0.00704057, -0.00704057, 0.04324919, -0.00704057, -0.01028019, -0.00040903, -0.00040903, -0.00040903, 0.00161692, 0.00161692, 0.00161692, 0.00161692, 0.03010725, 0.03010725, 0.03010725, 0.03010725],
      gk: [-0.04964192, -0.01808022, 0.01348149, 0.0450432, 0.01473298, 0.00306937, -0.00859424, -0.02025785, 0.04385485, 0.01885759, -0.00613968, -0.03113695, 0.00211784, -0.00711558, -0.01634899, 0.02470736, -0.01106375, 0.00326883, 0.01760141, -0.01835576, 0.00120468, 0.00267329, -0.00740754, 0.00045749, -0.00069297, -0.00398455, 0.00427329, 0.0009817, -0.00130141, 0.00333485, 0.00797111, -0.0036602, 0.04380005, 0.10227654, -0.05429878, 0.01404886, -0.04301036, -0.10430013, 0.04946192, -0.01182785],
      gv: [-0.36433291, 0.04462583, 0.00621935, 0.10261928, -0.1064414, -0.05144668, 0.09021542, 0.24947881, 0.43433954, 0.64472275, -0.36563042, -0.08350509, -0.06041999, 0.09566499, -0.2460045, -0.14294856, 0.07987464, 0.32465663, 0.23218027, 0.37613204],
    },
    float: {
      out: [-0.04006277, -0.21176974, -0.00969655, -0.19910038, 0.12525897, -0.26834638, -0.07257735, -0.2226337, -0.1304348, -0.19270708, -0.14059166, -0.1590241],
      gq: [-0.06257444, -0.02959692, -0.01801618, 0.02914403, 0.00686343, 0.03948676, -0.03654009, 0.00813616, 0.05113606, 0.07770316, -0.06790423, 0.01467566, 0.03116057, -0.01327655, -0.01327655, -0.01327655, 0.03887026, -0.00443887, -0.00443887, -0.00443887, 0.04162021, 0.01418196, 0.01418196, 0.01418196],
      gk: [-0.03829613, -0.02218485, -0.00607357, 0.04649811, 0.03407792, 0.00781005, -0.01845781, -0.01815858, -0.04350546, 0.01675505, 0.07701556, -0.04748558, -0.01010746, -0.01050273, -0.01089799, 0.02786101, 0.05783113, 0.00812247, -0.04158619, -0.00871496, 0.01544578, 0.02562064, -0.03495931, 0.0102691, -0.01602935, 0.00245991, 0.05171552, -0.02543616, -0.00394766, -0.06543935, -0.01619522, 0.02733759, 0.02014442, 0.03976749, -0.04095444, 0.01016075, -0.01561319, -0.00240868, 0.04039345, -0.02233127],
      gv: [-0.07302903, 0.07366892, -0.0322833, 0.11514972, 0.02951431, 0.30293243, 0.00707907, 0.08843198, 0.12871896, 0.40981695, -0.04099057, 0.04700909, -0.08483796, 0.08961885, -0.17524908, 0.17206889, -0.01737944, 0.0892758, -0.04154296, 0.17202736],
    },
  },
};
describe("embedding", () => {
  const t = TORCH.embedding;
  const index = tensor([[1, 3], [1, 0]], { dtype: "int32" });

  it("picks rows and adds the gradients of repeated indices, as torch", () => {
    const w = leaf(t.w, [4, 3]);
    const out = embedding(index, w);
    expect(out.shape).toEqual([2, 2, 3]);
    expectValues(out, t.out);
    out.mul(f64(t.gout, [2, 2, 3])).sum().backward();
    expectValues(w.grad, t.gw);
  });

  it("runs in float32 and on a 0-d index", () => {
    const w = tensor(t.w, { shape: [4, 3] });
    const out = embedding(tensor(2, { dtype: "int32" }), w);
    expect(out.dtype).toBe("float32");
    expectValues(out, t.w.slice(6, 9), 6);
  });

  it("refuses out-of-range indices, float indices and a weight that is not 2-D", () => {
    const w = Tensor.zeros([4, 3]);
    expect(() => embedding(tensor([0, 4], { dtype: "int32" }), w)).toThrow(
      "embedding: index 4 is out of range for a weight of shape [4,3] (expected 0..3)",
    );
    expect(() => embedding(tensor([-1], { dtype: "int32" }), w)).toThrow(TensorError);
    expect(() => embedding(tensor([0, 1]), w)).toThrow("embedding: input must be an int32 tensor of indices, got float32 [2]");
    expect(() => embedding(tensor([0], { dtype: "int32" }), Tensor.zeros([4]))).toThrow(
      "embedding: weight must be 2-D [numEmbeddings, embeddingDim], got [4]",
    );
  });
});

describe("layerNorm", () => {
  const t = TORCH.layerNorm;

  it("normalises the last dim with weight and bias, gradients included, as torch", () => {
    const x = leaf(t.x, [2, 3, 4]);
    const w = leaf(t.w, [4]);
    const b = leaf(t.b, [4]);
    const y = layerNorm(x, [4], w, b, 1e-5);
    expectValues(y, t.y);
    y.mul(f64(t.go, [2, 3, 4])).sum().backward();
    expectValues(x.grad, t.gx);
    expectValues(w.grad, t.gw);
    expectValues(b.grad, t.gb);
  });

  it("normalises several trailing dims without weight or bias, as torch", () => {
    const x = leaf(t.x, [2, 3, 4]);
    const y = layerNorm(x, [3, 4]);
    expectValues(y, TORCH.layerNorm2.y);
    y.mul(f64(t.go, [2, 3, 4])).sum().backward();
    expectValues(x.grad, TORCH.layerNorm2.gx);
  });

  it("gives the float64 results to float32's precision on float32 input, on a strided view", () => {
    const x = tensor(t.x, { shape: [2, 3, 4] }).transpose(0, 1).transpose(0, 1);
    const y = layerNorm(x, 4, tensor(t.w), tensor(t.b));
    expect(y.dtype).toBe("float32");
    expectValues(y, t.y, 5);
    const x2 = tensor(t.x, { shape: [4, 3, 2] }).permute(2, 1, 0);
    const expected = layerNorm(f64(Array.from(x2.dataSync()), [2, 3, 4]), 4);
    expectValues(layerNorm(x2, 4), Array.from(expected.dataSync()), 5);
  });

  it("only a bias, or only a weight, gets its gradient", () => {
    const x = leaf(t.x, [6, 4]);
    const b = leaf(t.b, [4]);
    layerNorm(x, [4], null, b).mul(f64(t.go, [6, 4])).sum().backward();
    expectValues(b.grad, t.gb);
    const w = leaf(t.w, [4]);
    layerNorm(x.detach(), [4], w).mul(f64(t.go, [6, 4])).sum().backward();
    expectValues(w.grad, t.gw);
  });

  it("refuses shapes that do not end in normalizedShape, and mismatched parameters", () => {
    const x = Tensor.zeros([2, 3]);
    expect(() => layerNorm(x, [4])).toThrow(
      "layerNorm: expected input [...,4] to end in normalizedShape [4], got [2,3]",
    );
    expect(() => layerNorm(x, [3], Tensor.ones([4]))).toThrow(
      "layerNorm: weight must be a float32 tensor of shape [3], got float32 [4]",
    );
    expect(() => layerNorm(x, [3], null, Tensor.ones([3], { dtype: "float64" }))).toThrow(
      "layerNorm: bias must be a float32 tensor of shape [3], got float64 [3]",
    );
    expect(() => layerNorm(tensor([1, 2], { dtype: "int32" }), 2)).toThrow("layerNorm: expected a float tensor, got int32");
    expect(() => layerNorm(x, [])).toThrow(TensorError);
  });
});

describe("softmax over -Infinity", () => {
  it("gives NaN for a row that is all -Infinity and 0 where one element is, as torch", () => {
    const x = f64([-Infinity, -Infinity, -Infinity, 1, -Infinity, 2], [2, 3]);
    expectValues(x.softmax(-1), TORCH.softmaxInf.out);
  });

  it("passes no gradient to -Infinity entries of a row that has finite ones", () => {
    const x = leaf([1, -Infinity, 2], [3]);
    x.softmax().mul(f64([0.3, -0.2, 0.5], [3])).sum().backward();
    const g = Array.from(x.grad?.dataSync() ?? []);
    expect(Math.abs(g[1])).toBe(0);
    expect(g.every(Number.isFinite)).toBe(true);
  });
});

describe("scaledDotProductAttention", () => {
  const t = TORCH.sdpa;
  const inputs = () => [leaf(t.q, [2, 3, 4]), leaf(t.k, [2, 5, 4]), leaf(t.v, [2, 5, 2])];
  const boolMask = tensor([[1, 0, 1, 1, 0], [1, 1, 0, 0, 0], [0, 0, 0, 1, 1]], { dtype: "int32" });
  const cases = [
    { name: "no mask", opts: {}, expected: t.plain },
    { name: "isCausal", opts: { isCausal: true }, expected: t.causal },
    { name: "an int32 mask (non-zero takes part)", opts: { mask: boolMask }, expected: t.bool },
    { name: "a float mask (added)", opts: { mask: f64(t.floatMask, [3, 5]) }, expected: t.float },
  ];

  it.each(cases)("matches softmax(q·kᵀ/√E + mask)·v and its gradients in torch with $name", ({ opts, expected }) => {
    const [q, k, v] = inputs();
    const out = scaledDotProductAttention(q, k, v, opts);
    expect(out.shape).toEqual([2, 3, 2]);
    expectValues(out, expected.out);
    out.mul(f64(t.go, [2, 3, 2])).sum().backward();
    expectValues(q.grad, expected.gq);
    expectValues(k.grad, expected.gk);
    expectValues(v.grad, expected.gv);
  });

  it("gives the float64 results to float32's precision in float32, causal or masked", () => {
    const [q, k, v] = inputs().map((t) => t.detach().to("float32"));
    expectValues(scaledDotProductAttention(q, k, v, { isCausal: true }), t.causal.out, 6);
    expectValues(scaledDotProductAttention(q, k, v, { mask: boolMask }), t.bool.out, 6);
  });

  it("applies scale in place of 1/√E", () => {
    const [q, k, v] = inputs();
    const scaled = scaledDotProductAttention(q.mul(2), k, v);
    expectValues(scaledDotProductAttention(q, k, v, { scale: 1 }), Array.from(scaled.dataSync()), 12);
  });

  it("drops attention weights from the global Rng only when dropoutP > 0", () => {
    const [q, k, v] = inputs();
    expectValues(scaledDotProductAttention(q, k, v, { dropoutP: 0 }), t.plain.out);
    manualSeed(7);
    const a = scaledDotProductAttention(q, k, v, { dropoutP: 0.5 });
    manualSeed(7);
    const b = scaledDotProductAttention(q, k, v, { dropoutP: 0.5 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(t.plain.out);
    // all weights dropped leaves zeros
    expectValues(scaledDotProductAttention(q, k, v, { dropoutP: 1 }), new Array<number>(12).fill(0));
  });

  it("gives NaN for a query whose keys are all masked out, as the formula does in torch", () => {
    const [q, k, v] = inputs();
    const mask = tensor([[0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]], { dtype: "int32" });
    const out = Array.from(scaledDotProductAttention(q, k, v, { mask }).dataSync());
    expect(out.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(out.slice(2, 6).every(Number.isFinite)).toBe(true);
  });

  it("refuses mismatched shapes, a mask that does not broadcast, and mask with isCausal", () => {
    const [q, k, v] = inputs();
    expect(() => scaledDotProductAttention(q, k.slice(-1, 0, 3), v)).toThrow(
      "scaledDotProductAttention: expected q [...,L,E], k [...,S,E], v [...,S,Ev], got q [2,3,4], k [2,5,3], v [2,5,2]",
    );
    expect(() => scaledDotProductAttention(q, k, v, { mask: Tensor.ones([3, 4], { dtype: "int32" }) })).toThrow(
      "scaledDotProductAttention: mask [3,4] does not broadcast to the scores [2,3,5]",
    );
    expect(() => scaledDotProductAttention(q, k, v, { mask: Tensor.ones([2, 2, 3, 5]) })).toThrow(
      "scaledDotProductAttention: mask [2,2,3,5] does not broadcast to the scores [2,3,5]",
    );
    expect(() => scaledDotProductAttention(q, k, v, { mask: boolMask, isCausal: true })).toThrow(
      "scaledDotProductAttention: give either mask or isCausal, not both",
    );
    expect(() => scaledDotProductAttention(q, k, v, { dropoutP: 1.5 })).toThrow(TensorError);
  });
});
