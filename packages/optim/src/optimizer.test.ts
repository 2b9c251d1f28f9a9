import { describe, expect, it } from "vitest";
import { tensor, TensorError, type Tensor } from "@tg/tensor";
import { Adam, AdamW, SGD, type BaseOptions, type Optimizer } from "./index.js";
import { flat, makeParams, trajectory } from "./test-problem.js";

/** Passes a value of the wrong type, as plain JavaScript callers can. */
function untyped<T>(value: unknown): T {
  return value as T;
}

/** Fresh parameters holding the current values of `params`. */
function copies(params: readonly Tensor[]): Tensor[] {
  return params.map((p) => tensor(p.dataSync(), { shape: p.shape, requiresGrad: true }));
}

/** Trains 4 steps, saves, trains 5 more; a fresh optimizer loaded from the save must match. */
function expectResumes<O extends BaseOptions>(make: (params: Tensor[]) => Optimizer<O>): void {
  const params = makeParams("float32");
  const opt = make(params);
  trajectory(opt, params, 4);
  const sd = opt.stateDict();
  const resumedParams = copies(params);
  const continued = trajectory(opt, params, 5);
  const resumed = make(resumedParams);
  resumed.loadStateDict(sd);
  expect(trajectory(resumed, resumedParams, 5)).toEqual(continued);
}

describe("Optimizer state", () => {
  it("SGD: loadStateDict(stateDict()) resumes training bit for bit", () => {
    expectResumes(
      (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    );
  });
  it("Adam: loadStateDict(stateDict()) resumes training bit for bit", () => {
    expectResumes((ps) => new Adam(ps, { lr: 0.05, amsgrad: true, weightDecay: 0.1 }));
  });
  it("AdamW: loadStateDict(stateDict()) resumes training bit for bit", () => {
    expectResumes((ps) => new AdamW(ps, { lr: 0.05, betas: [0.8, 0.95] }));
  });

  it("stateDict is a deep copy keyed by parameter index, with step counts and settings", () => {
    const params = makeParams("float64");
    const opt = new Adam(params, { lr: 0.01 });
    trajectory(opt, params, 2);
    const sd = opt.stateDict();
    expect(sd.paramCount).toBe(3);
    expect(Object.keys(sd.state)).toEqual(["0", "1", "2"]);
    expect(sd.state[1].step).toBe(2);
    expect(sd.state[2].buffers.expAvg.shape).toEqual([2, 2]);
    expect(sd.options).toEqual({
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maxGradNorm: undefined,
      clipValue: undefined,
    });
    const saved = flat([sd.state[0].buffers.expAvg, sd.state[1].buffers.expAvgSq]);
    trajectory(opt, params, 1);
    opt.lr = 0.5;
    expect(flat([sd.state[0].buffers.expAvg, sd.state[1].buffers.expAvgSq])).toEqual(saved);
    expect(sd.options.lr).toBe(0.01);
    expect(sd.state[1].step).toBe(2);
  });

  it("loadStateDict copies: later changes to the dict do not reach the optimizer", () => {
    const params = makeParams("float64");
    const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
    trajectory(opt, params, 1);
    const sd = opt.stateDict();
    opt.loadStateDict(sd);
    sd.state[0].buffers.momentumBuffer.storage.data.fill(123);
    sd.options.lr = 7;
    const again = opt.stateDict();
    expect(again.state[0].buffers.momentumBuffer.item()).not.toBe(123);
    expect(opt.lr).toBe(0.1);
  });

  it("loadStateDict restores the learning rate", () => {
    const opt = new SGD(makeParams(), { lr: 0.1 });
    const sd = opt.stateDict();
    opt.lr = 0.01;
    opt.loadStateDict(sd);
    expect(opt.lr).toBe(0.1);
  });

  it("loadStateDict refuses a wrong parameter count, wrong shapes or another optimizer's state", () => {
    const params = makeParams("float64");
    const opt = new Adam(params, { lr: 0.01 });
    trajectory(opt, params, 1);
    const sd = opt.stateDict();

    const fewer = new Adam(params.slice(0, 2));
    expect(() => fewer.loadStateDict(sd)).toThrow(
      "Adam.loadStateDict: the state is for 3 parameters, this optimizer has 2",
    );
    const reshaped = [
      params[0],
      params[1],
      tensor([1, 2, 3, 4], { dtype: "float64", requiresGrad: true }),
    ];
    expect(() => new Adam(reshaped).loadStateDict(sd)).toThrow(
      new TensorError(
        "Adam.loadStateDict: buffer expAvg of parameter 2 has shape [2,2], expected [4]",
      ),
    );
    expect(() => new SGD(params, { lr: 0.1 }).loadStateDict(untyped(sd))).toThrow(
      'SGD.loadStateDict: unknown option "betas"',
    );
    const withMomentum = new SGD(params, { lr: 0.1, momentum: 0.9 }).stateDict();
    withMomentum.state = { 5: { step: 1, buffers: {} } };
    expect(() => new SGD(params, { lr: 0.1 }).loadStateDict(withMomentum)).toThrow(
      "SGD.loadStateDict: state key 5 is not a parameter index in 0..2",
    );
    withMomentum.state = { 0: { step: 1, buffers: {} } };
    expect(() => new SGD(params, { lr: 0.1 }).loadStateDict(withMomentum)).toThrow(
      "SGD.loadStateDict: state 0 has buffers [], expected [momentumBuffer]",
    );
    const badLr = { ...sd, options: { ...sd.options, lr: -1 } };
    expect(() => opt.loadStateDict(badLr)).toThrow(
      new RangeError("Adam.loadStateDict: lr must be >= 0, got -1"),
    );
    // a refused load leaves the optimizer as it was
    expect(opt.lr).toBe(0.01);
    expect(opt.stateDict().state[0].step).toBe(1);
  });
});

describe("Optimizer basics", () => {
  it("lr is readable and writable between steps", () => {
    const p = tensor([1], { dtype: "float64", requiresGrad: true });
    const opt = new SGD([p], { lr: 0.1 });
    expect(opt.lr).toBe(0.1);
    opt.lr = 0.5;
    p.grad = tensor([1], { dtype: "float64" });
    opt.step();
    expect(p.item()).toBe(0.5);
  });

  it("zeroGrad sets every grad to null", () => {
    const params = makeParams();
    const opt = new SGD(params, { lr: 0.1 });
    trajectory(opt, params, 1);
    expect(params.every((p) => p.grad !== null)).toBe(true);
    opt.zeroGrad();
    expect(params.map((p) => p.grad)).toEqual([null, null, null]);
  });

  it("accepts any iterable of parameters, such as a generator", () => {
    const params = makeParams();
    function* gen(): Generator<Tensor> {
      yield* params;
    }
    expect(new SGD(gen(), { lr: 0.1 }).params).toEqual(params);
  });

  it("refuses parameters it cannot update in place", () => {
    const leaf = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    expect(() => new SGD([], { lr: 0.1 })).toThrow(
      new RangeError("SGD: got an empty parameter list"),
    );
    expect(() => new SGD([leaf.mul(2)], { lr: 0.1 })).toThrow(
      new TensorError("SGD: parameter 0 is not a leaf tensor; optimize the leaves"),
    );
    expect(() => new Adam([leaf.detach().transpose(0, 1)])).toThrow(
      new TensorError(
        "Adam: parameter 0 of shape [2,2] is a strided view; pass contiguous tensors",
      ),
    );
    expect(() => new Adam([tensor([1, 2], { dtype: "int32" })])).toThrow(
      new TensorError("Adam: parameter 0 must be float32 or float64, got int32"),
    );
    expect(() => new AdamW([leaf, leaf])).toThrow(
      new TensorError("AdamW: parameter 1 appears more than once"),
    );
  });
});
