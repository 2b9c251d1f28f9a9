import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, noGrad, Tensor, tensor } from "@tg/tensor";
import { BatchNorm1D } from "./batchnorm.js";
import { Linear } from "./linear.js";
import { Module, StateDictError } from "./module.js";
import { ReLU } from "./activation.js";
import { Sequential } from "./sequential.js";

class Block extends Module {
  readonly scale = Tensor.ones([2], { requiresGrad: true });
  readonly layers = [new Linear(2, 3), new ReLU(), new Linear(3, 2)];
  readonly frozen = Tensor.ones([2]);
  readonly norm = new BatchNorm1D(2);
  forward(x: Tensor): Tensor {
    let y = x.mul(this.scale);
    for (const layer of this.layers) y = layer.forward(y);
    return this.norm.forward(y);
  }
}

describe("Module", () => {
  beforeEach(() => manualSeed(0));

  it("finds parameters in field order with dotted names, arrays as name.i", () => {
    const names = new Block().namedParameters().map(([name]) => name);
    expect(names).toEqual([
      "scale",
      "layers.0.weight",
      "layers.0.bias",
      "layers.2.weight",
      "layers.2.bias",
      "norm.weight",
      "norm.bias",
    ]);
  });

  it("names Sequential children 0, 1, ... and nests prefixes", () => {
    const model = new Sequential(new Linear(4, 3), new ReLU(), new Sequential(new Linear(3, 2)));
    expect(model.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.0.weight", "2.0.bias"]);
    expect(model.parameters()).toEqual([model[0].parameters(), model[2].parameters()].flat());
    expect(model.children()).toEqual([model[0], model[1], model[2]]);
    expect(model.namedModules().map(([n]) => n)).toEqual(["", "0", "1", "2", "2.0"]);
  });

  it("does not count a computed tensor kept in a field as a parameter", () => {
    class Caching extends Module {
      readonly weight = Tensor.ones([2], { requiresGrad: true });
      last: Tensor | null = null;
      forward(x: Tensor): Tensor {
        this.last = x.mul(this.weight);
        return this.last;
      }
    }
    const m = new Caching();
    m.forward(tensor([1, 2]));
    expect(m.last?.requiresGrad).toBe(true);
    expect(m.namedParameters().map(([n]) => n)).toEqual(["weight"]);
  });

  it("lists a tensor shared by two layers once", () => {
    const a = new Linear(2, 2);
    const b = new Linear(2, 2);
    class Tied extends Module {
      readonly first = a;
      readonly second = b;
      forward(x: Tensor): Tensor {
        return this.second.forward(this.first.forward(x));
      }
    }
    const tied = new Tied();
    Object.defineProperty(b, "weight", { value: a.weight, enumerable: true });
    expect(tied.namedParameters().map(([n]) => n)).toEqual(["first.weight", "first.bias", "second.bias"]);
  });

  it("sets train and eval recursively", () => {
    const block = new Block();
    expect(block.modules().every((m) => m.training)).toBe(true);
    expect(block.eval()).toBe(block);
    expect(block.modules().map((m) => m.training)).toEqual([false, false, false, false, false]);
    block.train();
    expect(block.norm.training).toBe(true);
    block.train(false);
    expect(block.layers[1].training).toBe(false);
  });

  it("zeroGrad sets every gradient to null", () => {
    const block = new Block();
    block.forward(tensor([[1, 2], [3, 4], [5, 7]])).sum().backward();
    expect(block.parameters().every((p) => p.grad !== null)).toBe(true);
    block.zeroGrad();
    expect(block.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("call is forward", () => {
    const layer = new Linear(2, 1);
    const x = tensor([[1, 2]]);
    expect(layer.call(x).toArray()).toEqual(layer.forward(x).toArray());
  });
});

describe("stateDict", () => {
  beforeEach(() => manualSeed(0));

  it("holds parameters then buffers, with PyTorch's BatchNorm keys, sharing storage", () => {
    const block = new Block();
    const sd = block.stateDict();
    expect(Object.keys(sd)).toEqual([
      "scale",
      "layers.0.weight",
      "layers.0.bias",
      "layers.2.weight",
      "layers.2.bias",
      "norm.weight",
      "norm.bias",
      "norm.running_mean",
      "norm.running_var",
      "norm.num_batches_tracked",
    ]);
    expect(sd["norm.num_batches_tracked"].dtype).toBe("int32");
    expect(sd.scale.requiresGrad).toBe(false);
    expect(sd.scale.storage.data).toBe(block.scale.storage.data);
    expect(block.namedBuffers().map(([n]) => n)).toEqual(["norm.running_mean", "norm.running_var", "norm.num_batches_tracked"]);
  });

  it("loadStateDict(stateDict()) of another model reproduces its outputs exactly", () => {
    const a = new Block();
    a.forward(tensor([[1, 2], [3, 4], [0, 1]])); // moves the running statistics
    manualSeed(1);
    const b = new Block();
    const x = tensor([[0.5, -1], [2, 3]]);
    a.eval();
    b.eval();
    expect(b.forward(x).toArray()).not.toEqual(a.forward(x).toArray());
    b.loadStateDict(a.stateDict());
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    expect(b.norm.numBatchesTracked?.item()).toBe(1);
  });

  it("copies in place, keeping each parameter's identity", () => {
    const a = new Linear(3, 2);
    const b = new Linear(3, 2);
    const weight = b.weight;
    b.loadStateDict(a.stateDict());
    expect(b.weight).toBe(weight);
    expect(b.weight.requiresGrad).toBe(true);
    expect(b.weight.toArray()).toEqual(a.weight.toArray());
    expect(b.weight.storage.data).not.toBe(a.weight.storage.data);
  });

  it("refuses missing and unexpected keys, naming them, and changes nothing", () => {
    const layer = new Linear(3, 2);
    const before = layer.weight.toArray();
    const sd = new Linear(3, 2).stateDict();
    expect(() => layer.loadStateDict({ weight: sd.weight })).toThrow(
      'loadStateDict: Linear state dict does not match: missing keys "bias"',
    );
    expect(() => layer.loadStateDict({ ...sd, extra: sd.bias })).toThrow('unexpected keys "extra"');
    expect(layer.weight.toArray()).toEqual(before);
  });

  it("throws a StateDictError that lists the missing and unexpected keys", () => {
    const layer = new Linear(3, 2);
    const sd = new Linear(3, 2).stateDict();
    let caught: unknown = null;
    try {
      layer.loadStateDict({ weight: sd.weight, extra: sd.bias, "0.bias": sd.bias });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StateDictError);
    const err = caught as StateDictError;
    expect(err.name).toBe("StateDictError");
    expect(err.missingKeys).toEqual(["bias"]);
    expect(err.unexpectedKeys).toEqual(["extra", "0.bias"]);
    expect(err.message).toBe('loadStateDict: Linear state dict does not match: missing keys "bias"; unexpected keys "extra", "0.bias"');
  });

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["number", 3],
    ["string", "weights"],
    ["an array", []],
    ["a Tensor", Tensor.zeros([2])],
  ])("refuses %s instead of a record with a StateDictError", (got, value) => {
    const layer = new Linear(1, 1);
    const load = () => layer.loadStateDict(value as never);
    expect(load).toThrow(StateDictError);
    expect(load).toThrow(`loadStateDict: expected a record of tensors by name (like stateDict() returns), got ${got}`);
  });

  it("with strict: false loads what matches and reports the rest", () => {
    const layer = new Linear(3, 2);
    const source = new Linear(3, 2);
    const result = layer.loadStateDict({ weight: source.weight, extra: source.weight }, { strict: false });
    expect(result).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["extra"] });
    expect(layer.weight.toArray()).toEqual(source.weight.toArray());
  });

  it("refuses a wrong shape naming the key and both shapes, before copying anything", () => {
    const model = new Sequential(new Linear(3, 2), new Linear(2, 2));
    const before = model.stateDict();
    const snapshot = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.toArray()]));
    const sd = { ...new Sequential(new Linear(3, 2), new Linear(2, 2)).stateDict(), "1.bias": Tensor.zeros([3]) };
    expect(() => model.loadStateDict(sd)).toThrow(
      'loadStateDict: "1.bias" has shape [3] in the state dict, expected [2]',
    );
    for (const [k, v] of Object.entries(model.stateDict())) expect(v.toArray()).toEqual(snapshot[k]);
  });

  it("refuses a value that is not a tensor", () => {
    const layer = new Linear(1, 1);
    const sd: Record<string, Tensor> = { ...layer.stateDict() };
    Object.defineProperty(sd, "bias", { value: [0], enumerable: true });
    expect(() => layer.loadStateDict(sd)).toThrow('loadStateDict: "bias" must be a Tensor, got object');
  });

  it("can be loaded inside noGrad or outside it", () => {
    const layer = new Linear(2, 2);
    const sd = new Linear(2, 2).stateDict();
    noGrad(() => layer.loadStateDict(sd));
    expect(layer.weight.toArray()).toEqual(sd.weight.toArray());
  });
});
