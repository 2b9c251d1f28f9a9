import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, noGrad, Rng, tensor, Tensor } from "@tg/tensor";
import { Embedding, gradcheckModule, LayerNorm } from "./index.js";

beforeEach(() => manualSeed(0));

/** Deterministic inputs shared with the PyTorch script: sin(k·0.731 + seed·1.3)·0.8, k = 0, 1, …. */
function fill(shape: number[], seed: number, dtype: "float32" | "float64" = "float64"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, k) => Math.sin(k * 0.731 + seed * 1.3) * 0.8);
  return tensor(values, { shape, dtype });
}

/** Expects every element of `t` within `tol` of `expected` (flat, row-major). */
function expectValues(t: Tensor | null | undefined, expected: number[], tol = 1e-10): void {
  expect(t).toBeInstanceOf(Tensor);
  const actual = Array.from((t as Tensor).dataSync());
  expect(actual.length).toBe(expected.length);
  const bad = actual.flatMap((v, i) => (Math.abs(v - expected[i]) <= tol * (1 + Math.abs(expected[i])) ? [] : [`[${i}] ${v} vs ${expected[i]}`]));
  expect(bad).toEqual([]);
}

// Expected values from torch 1.13 in float64 (the same fill() in Python): nn.Embedding(5, 3) with
// weight fill([5, 3], 1), input [[0, 3, 3], [4, 1, 3]], loss (out · fill([2, 3, 3], 2)).sum()
const EMB_OUT = [0.7708465483337544, 0.7167696468855467, 0.296433720355389, 0.799749645603431, 0.5820586327771679, 0.06694399395361093, 0.799749645603431, 0.5820586327771679, 0.06694399395361093, -0.48237806711093817, -0.785211843761319, -0.6868136128504989, -0.27537559220686014, -0.7064719206586725, -0.776571214662212, 0.799749645603431, 0.5820586327771679, 0.06694399395361093];
const EMB_GRAD = [0.41240109745717135, -0.15062149880656006, -0.6366786661504455, -0.7439875816710995, -0.357572661445941, 0.2115567681703507, 0.0, 0.0, 0.0, 0.39227590885907526, 1.0317716042768759, 1.1440467853611083, 0.19464878407348565, -0.37312382439979275, -0.7502355019124463];

// nn.LayerNorm(ns) with weight fill(ns, 3) + 1, bias fill(ns, 4), x = fill([2, 3, 4], 5) · 2,
// loss (out · fill([2, 3, 4], 6)).sum(); LN1: ns = [4], LN2: ns = [3, 4]
const LN1_OUT = [-1.420476979049974, -0.1776996529306528, 0.7010906162191554, 0.704083606965236, 0.03434470758003744, -0.30222933144795466, -0.06702489622066979, 0.27663359558643696, -1.4257725530221321, -0.2951867887382084, 0.6137384859532247, 1.4104351816419165, -0.018785415973214287, -0.22636050224257206, 0.015541101735170237, -0.13396035133979875, -1.363016937014885, -0.3479663522890905, 0.5443685381939098, 1.6752991070856142, -0.0822635523498289, -0.18576442620706915, 0.07593277127707754, -0.32543557022591807];
const LN1_GX = [0.3005232158767137, 0.301890340283688, 0.2843412379203982, -0.8867547940807996, -0.03677409911535012, -0.1197680420961117, -0.2619778838338144, 0.4185200250452761, -0.0007631775007050368, 0.012688115805430888, 0.16690022341286825, -0.1788251617175943, -0.007560310698699113, 0.03218155711489254, -0.09138232071392699, 0.06676107429773334, 0.01962098062633591, -0.04568683961061626, 0.03832288715377699, -0.012257028169496698, -0.026819447674187202, 0.042408273562654475, -0.0012420483461257625, -0.014346777542341538];
const LN1_GW = [-5.761789442169139, -0.4795272205541488, 2.2166635321326775, 0.601495514643961];
const LN1_GB = [0.2751786655751834, -0.06483756707928257, -0.3717227314605196, -0.4886629033087947];
const LN2_OUT = [-0.6946471922184916, -0.09650311537109726, 0.71227904345162, 1.2924112984837173, 0.37382358079954103, -1.7595242694299915, -3.0841588975082073, -2.5350931028794976, -1.2419697044602953, -0.43806300358858036, 0.19059259234473525, 1.052659280008766, -0.3665452488199476, -0.3341135258354001, -0.10807541634945357, -0.386415154981879, -0.28952682156272486, 0.8756947911129717, 1.9377285374944768, 1.4861665649596347, 0.1394220945732762, -0.462425757386763, -0.19279220066235156, -0.18066404437186218];
const LN2_GX = [0.43368088368747837, 0.09619620694599859, -0.01414740788402638, -0.3149410440059641, -0.8213354375410115, -0.8372637259709828, -0.09076771392621893, 0.6566891582403811, 0.6768226935724747, 0.26414619082292035, 0.042067622658241405, -0.09114742659929104, -0.5133073896584428, -0.2599960041664408, -0.18536019197246772, -0.017425745896736927, 0.5777193683817343, 1.077001304747582, 0.7580191619681501, -0.09874367646564132, -0.5627045485374216, -0.4072582867977128, -0.20689900559932, -0.16104498600328193];
const LN2_GW = [-0.4386557271955798, 0.7817018054374076, 0.7970151180473006, -0.20431990411256945, -0.1451613503298808, 1.0880048910401516, 1.3307902922367303, -0.017793409112708006, -0.837952526338815, 0.07702405041424798, 0.999952432729297, 0.39805901214795386];
const LN2_GB = [0.19045859918794528, -0.17620970040736916, -0.4528373664998401, -0.4980716231537639, -0.28879841299469744, 0.06804665047631742, 0.39012085001379504, 0.5128488819072488, 0.37351847938193555, 0.04332548285176918, -0.30900621497447456, -0.5034401620622796];

describe("Embedding", () => {
  it("looks rows up and adds up the gradient of repeated tokens, as PyTorch", () => {
    const emb = new Embedding(5, 3, { dtype: "float64" });
    noGrad(() => emb.weight.copy_(fill([5, 3], 1)));
    const out = emb.forward(tensor([[0, 3, 3], [4, 1, 3]], { dtype: "int32" }));
    expect(out.shape).toEqual([2, 3, 3]);
    expectValues(out, EMB_OUT);
    out.mul(fill([2, 3, 3], 2)).sum().backward();
    expectValues(emb.weight.grad, EMB_GRAD);
  });

  it("starts from N(0, 1) draws of its rng, named weight", () => {
    const emb = new Embedding(200, 50, { rng: new Rng(3) });
    expect(emb.namedParameters().map(([n]) => n)).toEqual(["weight"]);
    const values = Array.from(emb.weight.dataSync());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    expect(new Embedding(200, 50, { rng: new Rng(3) }).weight.toArray()).toEqual(emb.weight.toArray());
  });

  it("refuses float indices and bad sizes", () => {
    expect(() => new Embedding(4, 2).forward(tensor([1, 2]))).toThrow("Embedding: expected int32 token indices, got float32 [2]");
    expect(() => new Embedding(0, 2)).toThrow("Embedding: numEmbeddings must be a positive integer, got 0");
  });
});

describe("LayerNorm", () => {
  for (const [label, ns, values] of [
    ["the last dim", [4], [LN1_OUT, LN1_GX, LN1_GW, LN1_GB]],
    ["the last two dims", [3, 4], [LN2_OUT, LN2_GX, LN2_GW, LN2_GB]],
  ] as const) {
    it(`normalises over ${label} with PyTorch's values and gradients`, () => {
      const ln = new LayerNorm(ns, { dtype: "float64" });
      noGrad(() => {
        ln.weight?.copy_(fill([...ns], 3).add(1));
        ln.bias?.copy_(fill([...ns], 4));
      });
      const x = fill([2, 3, 4], 5).mul(2).detach();
      x.requiresGrad = true;
      const out = ln.forward(x);
      expectValues(out, values[0]);
      out.mul(fill([2, 3, 4], 6)).sum().backward();
      expectValues(x.grad, values[1]);
      expectValues(ln.weight?.grad, values[2]);
      expectValues(ln.bias?.grad, values[3]);
    });
  }

  it("matches in float32 to float32 precision", () => {
    const ln = new LayerNorm(4);
    noGrad(() => {
      ln.weight?.copy_(fill([4], 3, "float32").add(1));
      ln.bias?.copy_(fill([4], 4, "float32"));
    });
    expectValues(ln.forward(fill([2, 3, 4], 5, "float32").mul(2)), LN1_OUT, 1e-5);
  });

  it("has PyTorch's parameters and options", () => {
    expect(new LayerNorm(8).namedParameters().map(([n]) => n)).toEqual(["weight", "bias"]);
    expect(new LayerNorm(8, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(new LayerNorm(8, { bias: false }).namedParameters().map(([n]) => n)).toEqual(["weight"]);
  });

  it("has correct gradients (float64 gradcheck)", () => {
    gradcheckModule(new LayerNorm([3], { dtype: "float64" }), [[2, 3]]);
  });

  it("names the expected shape", () => {
    expect(() => new LayerNorm(4).forward(Tensor.zeros([2, 5]))).toThrow("LayerNorm: expected input [...,4], got [2,5]");
    expect(() => new LayerNorm(0)).toThrow("LayerNorm: normalizedShape[0] must be a positive integer, got 0");
  });
});
