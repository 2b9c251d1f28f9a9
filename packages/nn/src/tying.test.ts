import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, noGrad, Tensor } from "@tg/tensor";
import { Linear, loadSafetensors, Module, saveSafetensors } from "./index.js";

beforeEach(() => manualSeed(0));

/** An encoder and a decoder whose weights are one tensor (decoder.weight = encoder.weight). */
class Tied extends Module {
  readonly encoder = new Linear(3, 4);
  readonly decoder = new Linear(3, 4, { bias: false });
  constructor() {
    super();
    this.decoder.weight = this.encoder.weight;
  }
  forward(x: Tensor): Tensor {
    return this.encoder.forward(x).add(this.decoder.forward(x));
  }
}

describe("weight tying", () => {
  it("counts a shared parameter once", () => {
    const model = new Tied();
    expect(model.namedParameters().map(([name]) => name)).toEqual(["encoder.weight", "encoder.bias"]);
    expect(model.parameters().length).toBe(2);
  });

  it("keeps both names in the state dict, sharing one storage, as PyTorch", () => {
    const sd = new Tied().stateDict();
    expect(Object.keys(sd)).toEqual(["encoder.weight", "encoder.bias", "decoder.weight"]);
    expect(sd["decoder.weight"].storage.data).toBe(sd["encoder.weight"].storage.data);
  });

  it("gets one gradient from both uses", () => {
    const model = new Tied();
    model.forward(Tensor.ones([2, 3])).sum().backward();
    // d/dW of sum(x Wᵀ + b + x Wᵀ) with x = ones([2, 3]): 2 uses × 2 rows = 4 everywhere
    expect(model.encoder.weight.grad?.toArray()).toEqual([[4, 4, 4], [4, 4, 4], [4, 4, 4], [4, 4, 4]]);
  });

  it("saves a tied tensor once and loads it back with the tie intact", () => {
    const model = new Tied();
    const bytes = saveSafetensors(model);
    const loaded = loadSafetensors(bytes);
    expect(Object.keys(loaded)).toEqual(["encoder.weight", "encoder.bias"]);
    const fresh = new Tied();
    expect(fresh.loadStateDict(loaded)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(fresh.decoder.weight).toBe(fresh.encoder.weight);
    expect(fresh.decoder.weight.toArray()).toEqual(model.encoder.weight.toArray());
    noGrad(() => fresh.encoder.weight.copy_(Tensor.zeros([4, 3])));
    expect(fresh.decoder.weight.sum().item()).toBe(0);
  });

  it("still loads a state dict that holds both names", () => {
    const model = new Tied();
    const fresh = new Tied();
    fresh.loadStateDict(model.stateDict());
    expect(fresh.decoder.weight.toArray()).toEqual(model.encoder.weight.toArray());
  });

  it("still reports a missing key that is not tied", () => {
    const loaded = loadSafetensors(saveSafetensors(new Tied()));
    delete loaded["encoder.bias"];
    expect(() => new Tied().loadStateDict(loaded)).toThrow('missing keys "encoder.bias"');
    const untied = new Linear(3, 4);
    expect(() => untied.loadStateDict({ weight: untied.weight.detach() })).toThrow('missing keys "bias"');
  });
});
