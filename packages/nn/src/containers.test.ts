import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, Tensor } from "@tg/tensor";
import { Linear, Module, ModuleDict, ModuleList, ReLU } from "./index.js";

beforeEach(() => manualSeed(0));

/** Passes a wrongly typed value, as plain JavaScript callers can. */
function untyped<T>(value: unknown): T {
  return value as T;
}

class Stack extends Module {
  readonly blocks = new ModuleList([new Linear(2, 3), new Linear(3, 2)]);
  readonly heads = new ModuleDict({ left: new Linear(2, 1), right: new Linear(2, 1, { bias: false }) });
  forward(x: Tensor): Tensor {
    let h = x;
    for (const block of this.blocks) h = block.forward(h);
    return this.heads.get("left").forward(h).add(this.heads.get("right").forward(h));
  }
}

describe("ModuleList", () => {
  it("names its children by position under the owner's field, as PyTorch", () => {
    const names = new Stack().namedParameters().map(([name]) => name);
    expect(names).toEqual([
      "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
      "heads.left.weight", "heads.left.bias", "heads.right.weight",
    ]);
  });

  it("indexes, appends and iterates", () => {
    const first = new Linear(1, 1);
    const list = new ModuleList([first]).append(new ReLU());
    expect(list.length).toBe(2);
    expect(list.get(0)).toBe(first);
    expect(list.get(-1)).toBeInstanceOf(ReLU);
    expect([...list].length).toBe(2);
    expect(list.children().length).toBe(2);
  });

  it("refuses non-modules and bad indices, and has no forward", () => {
    expect(() => new ModuleList([new Linear(1, 1), untyped<Module>({})])).toThrow("ModuleList: item 1 must be a Module, got Object");
    expect(() => new ModuleList().get(0)).toThrow("ModuleList: index 0 is out of range for 0 modules");
    expect(() => new ModuleList().forward(Tensor.zeros([1]))).toThrow("ModuleList: has no forward; call its modules");
  });
});

describe("ModuleDict", () => {
  it("keeps insertion order and replaces by name", () => {
    const dict = new ModuleDict({ b: new Linear(1, 1), a: new Linear(1, 2) });
    expect(dict.keys()).toEqual(["b", "a"]);
    dict.set("b", new Linear(1, 3));
    expect(dict.keys()).toEqual(["b", "a"]);
    expect((dict.get("b") as Linear).outFeatures).toBe(3);
    expect(dict.has("c")).toBe(false);
    expect(dict.size).toBe(2);
    expect(Object.keys(dict.stateDict())).toEqual(["b.weight", "b.bias", "a.weight", "a.bias"]);
  });

  it("refuses missing names, dotted names and non-modules", () => {
    const dict = new ModuleDict({ a: new ReLU() });
    expect(() => dict.get("z")).toThrow('ModuleDict: no module named "z" (have a)');
    expect(() => dict.set("x.y", new ReLU())).toThrow('ModuleDict: a name must be a non-empty string without dots, got "x.y"');
    expect(() => dict.set("x", untyped<Module>(3))).toThrow('ModuleDict: "x" must be a Module, got number');
  });
});
