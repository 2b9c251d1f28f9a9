import { existsSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  defaultLocations,
  FASHION_MNIST_SYSTEM_DIR,
  loadFashionMNIST,
  loadFashionMNISTFrom,
} from "./fashion-mnist.js";
import {
  failure,
  folder,
  locations,
  NAMES,
  tinyFiles,
  untyped,
  useTempDir,
  workDir,
} from "./fashion-mnist-fixture.js";

useTempDir();

describe("loadFashionMNIST", () => {
  it("reads gzipped or plain files into images [N,1,28,28] in [0,1], int32 labels and class names", async () => {
    for (const gz of [true, false]) {
      const dir = folder(gz ? "gz" : "plain", gz);
      const train = await loadFashionMNISTFrom(locations([dir]), {
        split: "train",
        download: false,
      });
      expect(train.images.shape).toEqual([6, 1, 28, 28]);
      expect(train.images.dtype).toBe("float32");
      const px = train.images.storage.data;
      expect([px[0], px[1], px[2]]).toEqual([0, Math.fround(7 / 255), Math.fround(14 / 255)]);
      expect(px[36]).toBe(Math.fround(252 / 255));
      expect(train.labels.dtype).toBe("int32");
      expect(train.labels.toArray()).toEqual([0, 3, 6, 9, 2, 5]);
      expect(train.classes).toEqual([
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
      ]);
      expect(train.dir).toBe(dir);
      const test = await loadFashionMNISTFrom(locations([dir]), { split: "test", download: false });
      expect(test.images.shape).toEqual([4, 1, 28, 28]);
    }
  });

  it("searches root, then $FASHION_MNIST_DIR, then the user cache, then Debian's folder", () => {
    const locs = defaultLocations({ root: "/r", cacheDir: "/c" }, { FASHION_MNIST_DIR: "/e" });
    expect(locs.search.map((s) => s.dir)).toEqual(["/r", "/e", "/c", FASHION_MNIST_SYSTEM_DIR]);
    expect(locs.cacheDir).toBe("/c");
    const plain = defaultLocations({}, {});
    expect(plain.search.map((s) => s.dir)).toEqual([
      null,
      join(homedir(), ".cache", "tg", "fashion-mnist"),
      FASHION_MNIST_SYSTEM_DIR,
    ]);
    expect(plain.files.trainImages.gzSha256).toBe(
      "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
    );
  });

  it("takes the first folder that holds both files of the split", async () => {
    const onlyImages = folder("half", true, ["trainImages"]);
    const first = folder("first", false);
    const second = folder("second", true);
    const got = await loadFashionMNISTFrom(locations([null, onlyImages, first, second]), {
      split: "train",
      download: false,
    });
    expect(got.dir).toBe(first);
  });

  it("refuses a file whose contents are not the expected data", async () => {
    const dir = folder("bad", true);
    writeFileSync(join(dir, `${NAMES.trainLabels}.gz`), gzipSync(tinyFiles(1).trainLabels));
    await expect(
      loadFashionMNISTFrom(locations([dir]), { split: "train", download: false }),
    ).rejects.toThrow(
      /train-labels-idx1-ubyte\.gz does not hold the official train-labels-idx1-ubyte \(SHA-256 of its contents is [0-9a-f]{64}, expected [0-9a-f]{64}\); delete it/,
    );
  });

  it("says where it looked and how to get the data when nothing is found and download is off", async () => {
    const locs = locations([null, join(workDir(), "nowhere")]);
    const { message } = await failure(
      loadFashionMNISTFrom(locs, { split: "test", download: false }),
    );
    expect(message).toContain(
      "loadFashionMNIST: found no folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz], and downloading is off (download: false).",
    );
    expect(message).toContain("  dir 0: not set\n");
    expect(message).toContain(`  dir 1: ${join(workDir(), "nowhere")}\n`);
    expect(message).toContain("apt-get install dataset-fashion-mnist");
  });

  it("refuses bad options", async () => {
    const locs = locations([]);
    await expect(loadFashionMNISTFrom(locs, { split: untyped("val") })).rejects.toThrow(
      new RangeError('loadFashionMNIST: split must be "train" or "test", got "val"'),
    );
    await expect(loadFashionMNISTFrom(locs, { split: "train", timeoutMs: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(
      loadFashionMNISTFrom(locs, untyped({ split: "train", dataDir: "/x" })),
    ).rejects.toThrow('loadFashionMNIST: unknown option "dataDir"');
  });
});

describe.skipIf(!existsSync(FASHION_MNIST_SYSTEM_DIR))(
  "the real Fashion-MNIST (Debian's dataset-fashion-mnist)",
  () => {
    const histogram = (labels: Int32Array | Float32Array | Float64Array): number[] => {
      const counts = new Array<number>(10).fill(0);
      for (const l of labels) counts[l] += 1;
      return counts;
    };

    it("loads 60,000 training and 10,000 test images with 6,000 and 1,000 per class", async () => {
      const train = await loadFashionMNIST({
        split: "train",
        root: FASHION_MNIST_SYSTEM_DIR,
        download: false,
      });
      expect(train.images.shape).toEqual([60000, 1, 28, 28]);
      expect(histogram(train.labels.storage.data)).toEqual(new Array(10).fill(6000));
      expect(train.labels.storage.data[0]).toBe(9);
      let sum = 0;
      for (const v of train.images.storage.data) sum += v;
      expect(sum / train.images.size).toBeCloseTo(0.28604, 5);
      const test = await loadFashionMNIST({
        split: "test",
        root: FASHION_MNIST_SYSTEM_DIR,
        download: false,
      });
      expect(test.images.shape).toEqual([10000, 1, 28, 28]);
      expect(histogram(test.labels.storage.data)).toEqual(new Array(10).fill(1000));
    }, 60_000);
  },
);
