import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { homedir, tmpdir } from "node:os";
import { Writable } from "node:stream";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { encodeIdx } from "./idx.js";
import {
  defaultLocations,
  FASHION_MNIST_SYSTEM_DIR,
  loadFashionMNIST,
  loadFashionMNISTFrom,
  type Locations,
} from "./fashion-mnist.js";
import { makeProgress, type FetchLike } from "./fashion-mnist-download.js";

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
type Key = keyof Locations["files"];
const NAMES: Record<Key, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** A tiny stand-in for the data set: 6 train and 4 test images of 28×28 with a pixel pattern. */
function tinyFiles(offset = 0): Record<Key, Uint8Array> {
  const images = (n: number): Uint8Array =>
    encodeIdx({ shape: [n, 28, 28], data: Uint8Array.from({ length: n * 784 }, (_, i) => (i * 7 + offset) % 256) });
  const labels = (n: number): Uint8Array => encodeIdx({ shape: [n], data: Uint8Array.from({ length: n }, (_, i) => (i * 3 + offset) % 10) });
  return { trainImages: images(6), trainLabels: labels(6), testImages: images(4), testLabels: labels(4) };
}
const KEYS: Key[] = ["trainImages", "trainLabels", "testImages", "testLabels"];
function byKey<T>(f: (k: Key) => T): Record<Key, T> {
  return { trainImages: f("trainImages"), trainLabels: f("trainLabels"), testImages: f("testImages"), testLabels: f("testLabels") };
}
const TINY = tinyFiles();
const TINY_GZ = byKey((k) => gzipSync(TINY[k]));
const FILES = byKey((k) => ({ name: NAMES[k], gzSha256: sha256(TINY_GZ[k]), rawSha256: sha256(TINY[k]) }));
const keyOf = (name: string): Key | undefined => KEYS.find((k) => NAMES[k] === name);

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => null, (e: unknown) => e);
  if (!(error instanceof Error)) throw new Error(`expected a rejection with an Error, got ${String(error)}`);
  return error;
}

/** Passes a value of the wrong type, as plain JavaScript callers can. */
function untyped<T>(value: unknown): T {
  return value as T;
}

let work = "";
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "tg-fmnist-"));
  return () => rmSync(work, { recursive: true, force: true });
});

/** A folder under the test's temp dir holding the tiny files, gzipped or plain. */
function folder(name: string, gz: boolean, keys: Key[] = KEYS): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const k of keys) writeFileSync(join(dir, gz ? `${NAMES[k]}.gz` : NAMES[k]), gz ? TINY_GZ[k] : TINY[k]);
  return dir;
}

function locations(dirs: (string | null)[], cacheDir = join(work, "cache")): Locations {
  return { search: [...dirs.map((dir, i) => ({ label: `dir ${i}`, dir })), { label: "cache", dir: cacheDir }], cacheDir, files: FILES };
}

describe("loadFashionMNIST", () => {
  it("reads gzipped or plain files into images [N,1,28,28] in [0,1], int32 labels and class names", async () => {
    for (const gz of [true, false]) {
      const dir = folder(gz ? "gz" : "plain", gz);
      const train = await loadFashionMNISTFrom(locations([dir]), { split: "train", download: false });
      expect(train.images.shape).toEqual([6, 1, 28, 28]);
      expect(train.images.dtype).toBe("float32");
      const px = train.images.storage.data;
      expect([px[0], px[1], px[2]]).toEqual([0, Math.fround(7 / 255), Math.fround(14 / 255)]);
      expect(px[36]).toBe(Math.fround(252 / 255));
      expect(train.labels.dtype).toBe("int32");
      expect(train.labels.toArray()).toEqual([0, 3, 6, 9, 2, 5]);
      expect(train.classes).toEqual(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);
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
    expect(plain.search.map((s) => s.dir)).toEqual([null, join(homedir(), ".cache", "tg", "fashion-mnist"), FASHION_MNIST_SYSTEM_DIR]);
    expect(plain.files.trainImages.gzSha256).toBe("08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc");
  });

  it("takes the first folder that holds both files of the split", async () => {
    const onlyImages = folder("half", true, ["trainImages"]);
    const first = folder("first", false);
    const second = folder("second", true);
    const got = await loadFashionMNISTFrom(locations([null, onlyImages, first, second]), { split: "train", download: false });
    expect(got.dir).toBe(first);
  });

  it("refuses a file whose contents are not the expected data", async () => {
    const dir = folder("bad", true);
    writeFileSync(join(dir, `${NAMES.trainLabels}.gz`), gzipSync(tinyFiles(1).trainLabels));
    await expect(loadFashionMNISTFrom(locations([dir]), { split: "train", download: false })).rejects.toThrow(
      /train-labels-idx1-ubyte\.gz does not hold the official train-labels-idx1-ubyte \(SHA-256 of its contents is [0-9a-f]{64}, expected [0-9a-f]{64}\); delete it/,
    );
  });

  it("says where it looked and how to get the data when nothing is found and download is off", async () => {
    const locs = locations([null, join(work, "nowhere")]);
    const { message } = await failure(loadFashionMNISTFrom(locs, { split: "test", download: false }));
    expect(message).toContain("loadFashionMNIST: found no folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz], and downloading is off (download: false).");
    expect(message).toContain("  dir 0: not set\n");
    expect(message).toContain(`  dir 1: ${join(work, "nowhere")}\n`);
    expect(message).toContain("apt-get install dataset-fashion-mnist");
  });

  it("refuses bad options", async () => {
    const locs = locations([]);
    await expect(loadFashionMNISTFrom(locs, { split: untyped("val") })).rejects.toThrow(
      new RangeError('loadFashionMNIST: split must be "train" or "test", got "val"'),
    );
    await expect(loadFashionMNISTFrom(locs, { split: "train", timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(loadFashionMNISTFrom(locs, untyped({ split: "train", dataDir: "/x" }))).rejects.toThrow(
      'loadFashionMNIST: unknown option "dataDir"',
    );
  });
});

describe("loadFashionMNIST downloads", () => {
  /** A fetch that serves the tiny .gz files from memory and records the URLs asked for. */
  function memoryFetch(serve: (key: Key) => Uint8Array | null, asked: string[]): FetchLike {
    return async (url) => {
      asked.push(url);
      const name = url.slice(url.lastIndexOf("/") + 1).replace(/\.gz$/, "");
      const key = keyOf(name);
      const body = key === undefined ? null : serve(key);
      return body === null ? new Response("not found", { status: 404 }) : new Response(body);
    };
  }

  it("downloads the four files into the cache when no folder has them, then never again", async () => {
    const asked: string[] = [];
    const fetch = memoryFetch((k) => TINY_GZ[k], asked);
    const locs = locations([null]);
    const train = await loadFashionMNISTFrom(locs, { split: "train", fetch, baseUrl: "http://mirror.test/fm", progress: false });
    expect(train.labels.toArray()).toEqual([0, 3, 6, 9, 2, 5]);
    expect(train.dir).toBe(locs.cacheDir);
    expect(asked).toEqual(Object.values(NAMES).map((n) => `http://mirror.test/fm/${n}.gz`));
    expect(readdirSync(locs.cacheDir).sort()).toEqual(Object.values(NAMES).map((n) => `${n}.gz`).sort());
    await loadFashionMNISTFrom(locs, { split: "test", fetch, progress: false });
    expect(asked.length).toBe(4);
  });

  it("keeps no file when a download has the wrong digest, and explains the failure", async () => {
    const fetch = memoryFetch((k) => (k === "testImages" ? gzipSync(tinyFiles(2).testImages) : TINY_GZ[k]), []);
    const locs = locations([]);
    const error = await failure(loadFashionMNISTFrom(locs, { split: "train", fetch, baseUrl: "http://mirror.test/", progress: false }));
    expect(error.message).toMatch(
      /^loadFashionMNIST: found no folder with train-images-idx3-ubyte\[\.gz\] and train-labels-idx1-ubyte\[\.gz\], and downloading from http:\/\/mirror\.test\/ failed: t10k-images-idx3-ubyte\.gz from http:\/\/mirror\.test\/t10k-images-idx3-ubyte\.gz has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}\./,
    );
    expect(readdirSync(locs.cacheDir).sort()).toEqual([`${NAMES.trainImages}.gz`, `${NAMES.trainLabels}.gz`]);
  });

  it("gives up on a download that stalls for timeoutMs", async () => {
    const stall: FetchLike = async () => new Response(new ReadableStream<Uint8Array>({ start() {} }));
    const locs = locations([]);
    await expect(
      loadFashionMNISTFrom(locs, { split: "train", fetch: stall, baseUrl: "http://mirror.test/", timeoutMs: 50, progress: false }),
    ).rejects.toThrow("failed: no data from http://mirror.test/train-images-idx3-ubyte.gz for 50 ms");
    expect(readdirSync(locs.cacheDir)).toEqual([]);
  });

  it("reports an unreachable host with the reason", async () => {
    const down: FetchLike = async () => {
      throw new TypeError("fetch failed");
    };
    await expect(loadFashionMNISTFrom(locations([]), { split: "train", fetch: down, progress: false })).rejects.toThrow(
      "failed: fetch failed.\nLooked in:",
    );
  });

  describe("over HTTP on 127.0.0.1", () => {
    let server: Server;
    let base = "";
    const ready = new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const name = (req.url ?? "").replace(/^\/(cut\/)?/, "").replace(/\.gz$/, "");
        const key = keyOf(name);
        if (key === undefined) return void res.writeHead(404).end();
        const body = TINY_GZ[key];
        res.writeHead(200, { "content-length": String(body.length) });
        if (req.url?.startsWith("/cut/")) {
          res.write(body.subarray(0, body.length >> 1), () => res.destroy());
        } else {
          res.end(body);
        }
      });
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/`;
        resolve();
      });
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("downloads with the global fetch and loads the result", async () => {
      await ready;
      const locs = locations([]);
      const test = await loadFashionMNISTFrom(locs, { split: "test", baseUrl: base, progress: false });
      expect(test.labels.toArray()).toEqual([0, 3, 6, 9]);
    });

    it("leaves nothing behind when the connection drops halfway", async () => {
      await ready;
      const locs = locations([]);
      await expect(loadFashionMNISTFrom(locs, { split: "test", baseUrl: `${base}cut/`, progress: false })).rejects.toThrow(
        `downloading from ${base}cut/ failed`,
      );
      expect(readdirSync(locs.cacheDir)).toEqual([]);
    });
  });

  it("prints plain progress lines off a terminal", () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const report = makeProgress(stream);
    report.start("a.gz", "http://h/a.gz", 2_500_000);
    report.update(1000);
    report.stop();
    report.saved("/c/a.gz", 2_500_000);
    expect(lines).toEqual(["Downloading a.gz (2.5 MB) from http://h/a.gz\n", "Saved /c/a.gz (2.5 MB, SHA-256 verified)\n"]);
  });
});

describe.skipIf(!existsSync(FASHION_MNIST_SYSTEM_DIR))("the real Fashion-MNIST (Debian's dataset-fashion-mnist)", () => {
  const histogram = (labels: Int32Array | Float32Array | Float64Array): number[] => {
    const counts = new Array<number>(10).fill(0);
    for (const l of labels) counts[l] += 1;
    return counts;
  };

  it("loads 60,000 training and 10,000 test images with 6,000 and 1,000 per class", async () => {
    const train = await loadFashionMNIST({ split: "train", root: FASHION_MNIST_SYSTEM_DIR, download: false });
    expect(train.images.shape).toEqual([60000, 1, 28, 28]);
    expect(histogram(train.labels.storage.data)).toEqual(new Array(10).fill(6000));
    expect(train.labels.storage.data[0]).toBe(9);
    let sum = 0;
    for (const v of train.images.storage.data) sum += v;
    expect(sum / train.images.size).toBeCloseTo(0.28604, 5);
    const test = await loadFashionMNIST({ split: "test", root: FASHION_MNIST_SYSTEM_DIR, download: false });
    expect(test.images.shape).toEqual([10000, 1, 28, 28]);
    expect(histogram(test.labels.storage.data)).toEqual(new Array(10).fill(1000));
  }, 60_000);
});
