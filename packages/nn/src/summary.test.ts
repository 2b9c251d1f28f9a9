import { beforeEach, describe, expect, it } from "vitest";
import { manualSeed, Tensor } from "@tg/tensor";
import { ReLU } from "./activation.js";
import { BatchNorm1D, BatchNorm2D } from "./batchnorm.js";
import { Conv2D, MaxPool2D } from "./conv.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { Flatten } from "./reshape.js";
import { Sequential } from "./sequential.js";
import { summary } from "./summary.js";

describe("summary", () => {
  beforeEach(() => manualSeed(0));

  it("lists each layer's output shape and parameter count, then the totals", () => {
    const model = new Sequential(
      new Flatten(),
      new Linear(784, 256),
      new ReLU(),
      new Dropout(0.3),
      new Linear(256, 128),
      new ReLU(),
      new Dropout(0.3),
      new Linear(128, 10),
    );
    const lines = summary(model, [1, 1, 28, 28]).split("\n");
    const row = (label: string): string[] => {
      const line = lines.find((l) => l.trimStart().startsWith(label));
      return line === undefined ? [] : line.trim().split(/\s{2,}/);
    };
    expect(row("Sequential")).toEqual(["Sequential", "[1,10]", "--"]);
    expect(row("Flatten (0)")).toEqual(["Flatten (0)", "[1,784]", "--"]);
    // 784·256 + 256 = 200,960; 256·128 + 128 = 32,896; 128·10 + 10 = 1,290
    expect(row("Linear (1)")).toEqual(["Linear (1)", "[1,256]", "200,960"]);
    expect(row("Dropout (3)")).toEqual(["Dropout (3)", "[1,256]", "--"]);
    expect(row("Linear (4)")).toEqual(["Linear (4)", "[1,128]", "32,896"]);
    expect(row("Linear (7)")).toEqual(["Linear (7)", "[1,10]", "1,290"]);
    expect(lines).toContain("Total params: 235,146");
    expect(lines).toContain("Trainable params: 235,146");
    expect(lines).toContain("Params size (MB): 0.94");
    expect(lines.find((l) => l.includes("Linear (1)"))?.startsWith("  ")).toBe(true);
  });

  it("leaves the model as it found it: modes, forward, parameters, no gradients", () => {
    const model = new Sequential(new Linear(3, 4), new BatchNorm1D(4), new Dropout(0.5));
    model[2].eval();
    const before = model.stateDict();
    const snapshot = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.toArray()]));
    summary(model, [1, 3]); // a batch of 1 would fail BatchNorm in training mode
    expect(model.modules().map((m) => m.training)).toEqual([true, true, true, false]);
    expect(Object.hasOwn(model[0], "forward")).toBe(false);
    for (const [k, v] of Object.entries(model.stateDict())) expect(v.toArray()).toEqual(snapshot[k]);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    expect(summary(model, [2, 3]).split("\n")).toContain("Buffer elements: 9");
  });

  it("nests custom modules and counts parameters where they are held", () => {
    class Net extends Module {
      readonly gain = Tensor.ones([4], { requiresGrad: true });
      readonly body = new Sequential(new Linear(2, 4));
      forward(x: Tensor): Tensor {
        return this.body.forward(x).mul(this.gain);
      }
    }
    const text = summary(new Net(), [3, 2]);
    expect(text).toMatch(/^Net\s+\[3,4\]\s+4$/m);
    expect(text).toMatch(/^ {2}Sequential \(body\)\s+\[3,4\]\s+--$/m);
    expect(text).toMatch(/^ {4}Linear \(0\)\s+\[3,4\]\s+12$/m);
    expect(text).toContain("Total params: 16");
  });

  it("prints the README's CNN table", () => {
    const cnn = new Sequential(new Conv2D(1, 8, 3, { padding: 1 }), new BatchNorm2D(8), new ReLU(),
      new MaxPool2D(2), new Flatten(), new Linear(8 * 14 * 14, 10));
    const text = summary(cnn, [1, 1, 28, 28]);
    // conv 8·1·3·3 + 8 = 80; batchnorm 8 + 8 = 16; linear 1568·10 + 10 = 15,690; buffers 8 + 8 + 1
    expect(text).toMatch(/^ {2}Conv2D \(0\)\s+\[1,8,28,28\]\s+80$/m);
    expect(text).toMatch(/^ {2}BatchNorm2D \(1\)\s+\[1,8,28,28\]\s+16$/m);
    expect(text).toMatch(/^ {2}MaxPool2D \(3\)\s+\[1,8,14,14\]\s+--$/m);
    expect(text).toMatch(/^ {2}Flatten \(4\)\s+\[1,1568\]\s+--$/m);
    expect(text).toMatch(/^ {2}Linear \(5\)\s+\[1,10\]\s+15,690$/m);
    expect(text).toContain("Total params: 15,786");
    expect(text).toContain("Buffer elements: 17");
  });

  it("keeps a forward defined as an own property", () => {
    const inner = new ReLU();
    const ownForward = (x: Tensor): Tensor => x.mul(2);
    Object.defineProperty(inner, "forward", { value: ownForward, writable: true, configurable: true });
    const model = new Sequential(inner, inner);
    expect(summary(model, [1, 3])).toMatch(/^ {2}ReLU \(1\)\s+\[1,3\]\s+--$/m);
    expect(Object.getOwnPropertyDescriptor(inner, "forward")?.value).toBe(ownForward);
  });

  it("restores the model when the forward throws", () => {
    const model = new Sequential(new Linear(3, 4));
    expect(() => summary(model, [1, 5])).toThrow("Linear: expected input [...,3], got [1,5]");
    expect(model.training).toBe(true);
    expect(Object.hasOwn(model[0], "forward")).toBe(false);
  });
});
