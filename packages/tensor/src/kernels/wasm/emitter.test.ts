import { describe, expect, it } from "vitest";
import {
  FunctionBuilder,
  ModuleBuilder,
  add,
  extractLane,
  f32Load,
  forRange,
  get,
  i32,
  inc,
  load,
  set,
  shuffle,
  sleb,
  splat,
  uleb,
  vmul,
} from "./emitter.js";
import { exportedFunction, wasmApi } from "./platform.js";

describe("LEB128", () => {
  it("encodes unsigned values", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([127]);
    expect(uleb(128)).toEqual([0x80, 1]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
  });

  it("encodes signed values", () => {
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([63]);
    expect(sleb(64)).toEqual([0xc0, 0]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe.skipIf(wasmApi() === undefined)("ModuleBuilder", () => {
  function instantiate(mod: ModuleBuilder) {
    const api = wasmApi()!;
    const bytes = mod.toBytes();
    expect(api.validate(bytes)).toBe(true);
    const memory = new api.Memory({ initial: 1, maximum: 1 });
    return { memory, instance: new api.Instance(new api.Module(bytes), { env: { memory } }) };
  }

  it("builds a module whose loop sums integers", () => {
    const mod = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 1 });
    const f = new FunctionBuilder("triangle", ["i32"], ["i32"]);
    const [n] = f.params;
    const i = f.local("i32");
    const s = f.local("i32");
    mod.add(f, [set(s, i32(0)), forRange(i, i32(1), add(get(n), i32(1)), i32(1), inc(s, get(i))), get(s)]);
    const triangle = exportedFunction(instantiate(mod).instance, "triangle");
    expect([0, 1, 10, 1000].map((x) => triangle(x))).toEqual([0, 1, 55, 500500]);
  });

  it("emits SIMD loads, shuffles, splats and lane reads", () => {
    const mod = new ModuleBuilder({ shared: false, initialPages: 1, maximumPages: 1 });
    for (const lane of [0, 1, 2, 3]) {
      const f = new FunctionBuilder(`lane${lane}`, ["i32"], ["f32"]);
      const [ptr] = f.params;
      const v = vmul(shuffle(load(get(ptr)), load(get(ptr), 16), [7, 0, 5, 2]), splat(f32Load(get(ptr), 32)));
      mod.add(f, extractLane(v, lane));
    }
    const { memory, instance } = instantiate(mod);
    new Float32Array(memory.buffer).set([1, 2, 3, 4, 5, 6, 7, 8, 10]);
    expect([0, 1, 2, 3].map((l) => exportedFunction(instance, `lane${l}`)(0))).toEqual([80, 10, 60, 30]);
  });
});
