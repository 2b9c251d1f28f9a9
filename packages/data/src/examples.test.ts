// The examples of this package's README, run as written.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { arange } from "@tg/tensor";
import { DataLoader, encodeIdx, parseIdx, TensorDataset } from "./index.js";
import { FASHION_MNIST_SYSTEM_DIR, loadFashionMNIST } from "./node.js";

describe("README examples", () => {
  it("batches a TensorDataset", () => {
    const x = arange(20).reshape([10, 2]);
    const y = arange(10, undefined, undefined, { dtype: "int32" });
    const loader = new DataLoader(new TensorDataset(x, y), {
      batchSize: 4,
      shuffle: true,
      seed: 0,
    });
    expect(loader.length).toBe(3);
    const shapes: number[][] = [];
    for (const [xb, yb] of loader) shapes.push([...xb.shape], [...yb.shape]);
    expect(shapes).toEqual([[4, 2], [4], [4, 2], [4], [2, 2], [2]]);
  });

  it("round-trips an IDX file", () => {
    const bytes = encodeIdx({ shape: [2, 2], data: new Uint8Array([0, 255, 255, 0]) });
    const { shape, data } = parseIdx(bytes);
    expect(shape).toEqual([2, 2]);
    expect(data).toEqual(new Uint8Array([0, 255, 255, 0]));
  });

  it.skipIf(!existsSync(FASHION_MNIST_SYSTEM_DIR))(
    "loads Fashion-MNIST",
    async () => {
      const { images, labels, classes } = await loadFashionMNIST({ split: "train" });
      expect(images.shape).toEqual([60000, 1, 28, 28]);
      expect(classes[labels.dataSync()[0]]).toBe("Ankle boot");
    },
    60_000,
  );
});
