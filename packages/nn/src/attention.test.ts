import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, noGrad, tensor, Tensor } from "@tg/tensor";
import { gradcheckModule, loadSafetensors, MultiheadAttention, saveSafetensors } from "./index.js";

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

// Expected values from torch 1.13 in float64 (the same fill() in Python):
// nn.MultiheadAttention(4, 2, batch_first=True) with in_proj_weight fill([12, 4], 7), in_proj_bias
// fill([12], 8), out_proj.weight fill([4, 4], 9), out_proj.bias fill([4], 10);
// query fill([2, 3, 4], 11), key fill([2, 2, 4], 12), value fill([2, 2, 4], 13), loss (out · fill([2, 3, 4], 14)).sum()
const MHA_OUT = [0.23680360235966091, 0.5759326374413465, 1.1679575779442328, -0.24727955589689943, -0.14604838647408508, 0.884255567100264, 0.9487042320497867, -0.1274357923874152, 0.0005510880308262633, 0.7778608865397576, 1.009876540276215, -0.14050083920273448, 0.04852673119916273, 0.8018645563231134, 0.9150255717936019, 0.02072425162115693, -0.27983372781692584, 1.0143327290599033, 0.8284696948553946, -0.022714146670295865, 0.4757254228293264, 0.3834515024659908, 1.30492060759391, -0.322265296978524];
const MHA_W = [0.5558015053741084, 0.4441984946258915, 0.428239445086776, 0.5717605549132239, 0.46736211998831156, 0.5326378800116884, 0.4454457079096527, 0.5545542920903472, 0.33168529905199495, 0.6683147009480052, 0.6450107832050999, 0.3549892167949002];
const MHA_GQ = [-0.05391313538708438, 0.06385139281394367, 0.14898877366885405, 0.15799502476789826, 0.06079953588053602, -0.07077602105437067, -0.16618604477621643, -0.17667737947929896, -0.07350512461983115, 0.08103137630982842, 0.1941620043523717, 0.20807862866156138, 0.2884334890730576, -0.0786707075549554, -0.4055752992237116, -0.5252367210171165, -0.26933554322563885, 0.04939247260144941, 0.34288164225250495, 0.46116320293800717, 0.2092830114170586, -0.025032509411108805, -0.24655677640744184, -0.34209406146792043];
const MHA_GK = [-0.6441397452211322, -0.51470005759339, -0.12225601128096561, 0.3326591060327699, 0.6441397452211322, 0.5147000575933899, 0.12225601128096562, -0.3326591060327698, 0.013986537942622682, -0.033428307401039276, -0.06376176637176573, -0.061513875824834974, -0.013986537942622765, 0.03342830740103922, 0.06376176637176573, 0.06151387582483503];
const MHA_GV = [0.2100460337089366, 0.2576414578462459, 0.1735857865702949, 0.0008302641865695348, 0.09902446415378127, 0.18929111351745576, 0.18283271461098521, 0.08294941678828185, -0.2839022159977421, -0.31374914257714326, -0.183274750334081, 0.04085041474955779, -0.005401669024861305, -0.10700530678329498, -0.15393076514150417, -0.12219980687295198];
const MHA_GIW = [-0.6857949692101324, -0.6905820672353995, -0.342491618361555, 0.18060714285489293, 0.4807746634241844, 0.5023538990823389, 0.26723748625219623, -0.104433455087034, -0.35518261124889733, -0.43365982131120934, -0.2905430728949507, 0.0010370250579423423, 0.07012566874142012, 0.14882923601395043, 0.151483194987617, 0.07673141063280965, 0.07191120759094954, -0.01379318508006092, -0.09244945770002128, -0.12386538135474207, -0.026090506922601647, -0.1987488857081937, -0.26984943007389284, -0.2030607800418759, -0.12776086939024694, 0.17100388310211478, 0.3823881001848766, 0.39837747404959784, 0.2325562836631546, -0.2844399934991521, -0.6560915072971253, -0.6924896564034954, 0.1236533696350181, 0.32357122888615814, 0.3581488238677975, 0.2097174987116502, 0.03806264783254762, 0.12620774983915892, 0.14986249903196283, 0.09693965732050802, 0.005785565233021088, 0.025026736199966884, 0.031479603363296804, 0.021846844010624682, 0.011057781120527271, 0.06201391850307986, 0.0812818315988752, 0.05901589274148787];
const MHA_GIB = [0.003598977033691858, -0.04075530145460879, 0.11034737350887569, -0.1254322201372049, -5.551115123125783e-17, 1.1102230246251565e-16, 2.7755575615628914e-17, 0.0, 0.047255989616648134, 0.047828764239084345, 0.023961725265621486, -0.012149412175461727];
const MHA_GOW = [-1.107384617484844, 1.011321078399678, 0.10909645394938172, -0.31315981277737875, -1.276103053416334, 0.837864988255053, -0.08865862890847809, -0.37854310150056636, -0.7927511034446174, 0.23627188773058522, -0.2411104220271364, -0.2504962862712171, 0.09568530782074564, -0.48605276390028196, -0.2703582423039345, 0.005550544018753267];
// x = fill([2, 3, 4], 15); mha(x, x, x, attn_mask=triu(ones(3, 3, bool), 1),
// key_padding_mask=[[F, F, T], [F, F, F]], average_attn_weights=False)
const MHA2_OUT = [-0.9440077543617992, 1.740778681289918, 0.07401104392388058, 0.7241768957248701, -0.2877365921227858, 1.0209787709578975, 0.8233939030293991, -0.0194479795094874, 0.6073362192663233, 0.10234993337735487, 1.7222561854534009, -0.8561533171463562, 0.8971875703454736, -0.13373923159050627, 1.893449187630519, -0.9543766860954712, 0.1031332272978055, 0.5910955844044901, 1.2720171444074255, -0.4656541814929058, 0.3176933157581656, 0.4923629428569827, 1.2502661027906596, -0.32444523690871885];
const MHA2_W = [1.0, 0.0, 0.0, 0.7701571576365883, 0.2298428423634117, 0.0, 0.3395371198579588, 0.6604628801420411, 0.0, 1.0, 0.0, 0.0, 0.5626396520372341, 0.43736034796276596, 0.0, 0.11695915204154295, 0.8830408479584572, 0.0, 1.0, 0.0, 0.0, 0.16722585556237707, 0.8327741444376229, 0.0, 0.2686701353356809, 0.08206862273086998, 0.6492612419334491, 1.0, 0.0, 0.0, 0.6113271469023136, 0.3886728530976863, 0.0, 0.22403134385062662, 0.35646935948043645, 0.41949929666893687];
// mha(x, x, x, attn_mask=fill([4, 3, 3], 16)) (a float mask per batch and head)
const MHA3_OUT = [-0.06605147922064114, 0.8120211853133298, 1.0097695113577507, -0.17445212762845763, -0.530908846262325, 1.289136226741663, 0.5428975644594729, 0.26015902066696656, 0.2434613880485198, 0.4406841981316418, 1.4254183477975193, -0.6148107936724512, 0.4189825586898476, 0.38417319789232796, 1.3602541160726633, -0.43104447836979165, 0.149969488481711, 0.5559193913631602, 1.2938743583051289, -0.4731616289601197, 0.2605687349433942, 0.5532337873338906, 1.188519666683332, -0.2647351741472206];
const MHA3_W = [0.37956607131638204, 0.4215450650366559, 0.1988888636469621, 0.4154482100453063, 0.19311251676637642, 0.39143927318831717, 0.09052079865941604, 0.5674362657769363, 0.3420429355636476, 0.46639629025688883, 0.21105244317483718, 0.32255126656827404, 0.23343862459784295, 0.5348906788008561, 0.23167069660130113, 0.22439212234009837, 0.2511788823750764, 0.5244289952848252];

/** The module with PyTorch's weights above. */
function makeAttention(dtype: "float32" | "float64" = "float64"): MultiheadAttention {
  const mha = new MultiheadAttention(4, 2, { dtype });
  mha.loadStateDict({
    in_proj_weight: fill([12, 4], 7, dtype),
    in_proj_bias: fill([12], 8, dtype),
    "out_proj.weight": fill([4, 4], 9, dtype),
    "out_proj.bias": fill([4], 10, dtype),
  });
  return mha;
}

function leaf(t: Tensor): Tensor {
  const out = t.detach();
  out.requiresGrad = true;
  return out;
}

describe("MultiheadAttention", () => {
  it("has PyTorch's parameter names, shapes and state-dict keys", () => {
    const mha = new MultiheadAttention(8, 2);
    // list(nn.MultiheadAttention(8, 2).state_dict().keys()) in torch 1.13
    expect(Object.keys(mha.stateDict())).toEqual(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
    expect(mha.parameters().map((p) => p.shape)).toEqual([[24, 8], [24], [8, 8], [8]]);
    expect(mha.inProjBias?.toArray()).toEqual(new Array(24).fill(0));
    expect(mha.outProj.weight.abs().max().item()).toBeLessThanOrEqual(1 / Math.sqrt(8));
    expect(Object.keys(new MultiheadAttention(8, 2, { bias: false }).stateDict())).toEqual(["in_proj_weight", "out_proj.weight"]);
  });

  it("computes PyTorch's output, averaged weights and gradients (cross-attention)", () => {
    const mha = makeAttention();
    const q = leaf(fill([2, 3, 4], 11));
    const k = leaf(fill([2, 2, 4], 12));
    const v = leaf(fill([2, 2, 4], 13));
    const [out, weights] = mha.forwardWithWeights(q, k, v);
    expectValues(out, MHA_OUT);
    expect(weights?.shape).toEqual([2, 3, 2]);
    expectValues(weights, MHA_W);
    out.mul(fill([2, 3, 4], 14)).sum().backward();
    expectValues(q.grad, MHA_GQ);
    expectValues(k.grad, MHA_GK);
    expectValues(v.grad, MHA_GV);
    expectValues(mha.inProjWeight.grad, MHA_GIW);
    expectValues(mha.inProjBias?.grad, MHA_GIB);
    expectValues(mha.outProj.weight.grad, MHA_GOW);
  });

  it("forward without weights gives the same output", () => {
    const mha = makeAttention();
    expectValues(mha.forward(fill([2, 3, 4], 11), fill([2, 2, 4], 12), fill([2, 2, 4], 13)), MHA_OUT);
  });

  it("applies an int32 attention mask (non-zero = masked) and a key padding mask, as PyTorch's boolean ones", () => {
    const mha = makeAttention();
    const x = fill([2, 3, 4], 15);
    const causal = tensor([[0, 1, 1], [0, 0, 1], [0, 0, 0]], { dtype: "int32" });
    const pad = tensor([[0, 0, 1], [0, 0, 0]], { dtype: "int32" });
    const [out, weights] = mha.forwardWithWeights(x, x, x, { attnMask: causal, keyPaddingMask: pad, averageAttnWeights: false });
    expectValues(out, MHA2_OUT);
    expect(weights?.shape).toEqual([2, 2, 3, 3]);
    expectValues(weights, MHA2_W);
    const [viaCausal] = mha.forwardWithWeights(x, x, x, { isCausal: true, keyPaddingMask: pad });
    expectValues(viaCausal, MHA2_OUT);
    expectValues(mha.forward(x, x, x, { isCausal: true, keyPaddingMask: pad }), MHA2_OUT);
  });

  it("adds a float mask given per batch and head", () => {
    const mha = makeAttention();
    const x = fill([2, 3, 4], 15);
    const [out, weights] = mha.forwardWithWeights(x, x, x, { attnMask: fill([4, 3, 3], 16) });
    expectValues(out, MHA3_OUT);
    expectValues(weights, MHA3_W);
  });

  it("matches in float32 to float32 precision, and takes unbatched input", () => {
    const mha = makeAttention("float32");
    const [out] = mha.forwardWithWeights(fill([2, 3, 4], 11, "float32"), fill([2, 2, 4], 12, "float32"), fill([2, 2, 4], 13, "float32"));
    expectValues(out, MHA_OUT, 2e-6);
    const single = mha.forward(fill([2, 3, 4], 11, "float32").slice(0, 0, 1).squeeze(0), fill([2, 2, 4], 12, "float32").slice(0, 0, 1).squeeze(0), fill([2, 2, 4], 13, "float32").slice(0, 0, 1).squeeze(0));
    expect(single.shape).toEqual([3, 4]);
    expectValues(single, MHA_OUT.slice(0, 12), 2e-6);
  });

  it("moves to PyTorch's names and back through safetensors", () => {
    const mha = makeAttention();
    const again = new MultiheadAttention(4, 2, { dtype: "float64" });
    again.loadStateDict(loadSafetensors(saveSafetensors(mha)));
    expectValues(again.forward(fill([2, 3, 4], 11), fill([2, 2, 4], 12), fill([2, 2, 4], 13)), MHA_OUT);
  });

  it("has correct gradients (float64 gradcheck)", () => {
    const mha = new MultiheadAttention(4, 2, { dtype: "float64" });
    noGrad(() => mha.inProjBias?.copy_(fill([12], 3)));
    gradcheckModule(mha, [[2, 3, 4]]);
  });

  it("refuses bad settings, shapes and masks", () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow("MultiheadAttention: embedDim 6 must be divisible by numHeads 4");
    const mha = new MultiheadAttention(4, 2);
    expect(() => mha.forward(Tensor.zeros([2, 3, 5]))).toThrow(
      "MultiheadAttention: expected query [B,L,4], key and value [B,S,4] (or unbatched [L,4], [S,4]), got [2,3,5], [2,3,5], [2,3,5]",
    );
    const x = Tensor.zeros([2, 3, 4]);
    expect(() => mha.forward(x, x, x, { attnMask: Tensor.zeros([3, 2]) })).toThrow(
      "MultiheadAttention: attnMask must be [3,3] or [4,3,3], got [3,2]",
    );
    expect(() => mha.forward(x, x, x, { keyPaddingMask: Tensor.zeros([3]) })).toThrow(
      "MultiheadAttention: keyPaddingMask must be [2,3], got [3]",
    );
  });
});
