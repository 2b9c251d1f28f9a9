import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { loadFashionMNISTFrom } from "./fashion-mnist.js";
import { makeProgress, type FetchLike } from "./fashion-mnist-download.js";
import {
  failure,
  keyOf,
  locations,
  NAMES,
  tinyFiles,
  TINY_GZ,
  useTempDir,
  type Key,
} from "./fashion-mnist-fixture.js";

useTempDir();

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
    const train = await loadFashionMNISTFrom(locs, {
      split: "train",
      fetch,
      baseUrl: "http://mirror.test/fm",
      progress: false,
    });
    expect(train.labels.toArray()).toEqual([0, 3, 6, 9, 2, 5]);
    expect(train.dir).toBe(locs.cacheDir);
    expect(asked).toEqual(Object.values(NAMES).map((n) => `http://mirror.test/fm/${n}.gz`));
    expect(readdirSync(locs.cacheDir).sort()).toEqual(
      Object.values(NAMES)
        .map((n) => `${n}.gz`)
        .sort(),
    );
    await loadFashionMNISTFrom(locs, { split: "test", fetch, progress: false });
    expect(asked.length).toBe(4);
  });

  it("keeps no file when a download has the wrong digest, and explains the failure", async () => {
    const fetch = memoryFetch(
      (k) => (k === "testImages" ? gzipSync(tinyFiles(2).testImages) : TINY_GZ[k]),
      [],
    );
    const locs = locations([]);
    const error = await failure(
      loadFashionMNISTFrom(locs, {
        split: "train",
        fetch,
        baseUrl: "http://mirror.test/",
        progress: false,
      }),
    );
    expect(error.message).toMatch(
      /^loadFashionMNIST: found no folder with train-images-idx3-ubyte\[\.gz\] and train-labels-idx1-ubyte\[\.gz\], and downloading from http:\/\/mirror\.test\/ failed: t10k-images-idx3-ubyte\.gz from http:\/\/mirror\.test\/t10k-images-idx3-ubyte\.gz has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}\./,
    );
    expect(readdirSync(locs.cacheDir).sort()).toEqual([
      `${NAMES.trainImages}.gz`,
      `${NAMES.trainLabels}.gz`,
    ]);
  });

  it("gives up on a download that stalls for timeoutMs", async () => {
    const stall: FetchLike = async () =>
      new Response(new ReadableStream<Uint8Array>({ start() {} }));
    const locs = locations([]);
    await expect(
      loadFashionMNISTFrom(locs, {
        split: "train",
        fetch: stall,
        baseUrl: "http://mirror.test/",
        timeoutMs: 50,
        progress: false,
      }),
    ).rejects.toThrow(
      "failed: no data from http://mirror.test/train-images-idx3-ubyte.gz for 50 ms",
    );
    expect(readdirSync(locs.cacheDir)).toEqual([]);
  });

  it("reports an unreachable host with the reason", async () => {
    const down: FetchLike = async () => {
      throw new TypeError("fetch failed");
    };
    await expect(
      loadFashionMNISTFrom(locations([]), { split: "train", fetch: down, progress: false }),
    ).rejects.toThrow("failed: fetch failed.\nLooked in:");
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
      const test = await loadFashionMNISTFrom(locs, {
        split: "test",
        baseUrl: base,
        progress: false,
      });
      expect(test.labels.toArray()).toEqual([0, 3, 6, 9]);
    });

    it("leaves nothing behind when the connection drops halfway", async () => {
      await ready;
      const locs = locations([]);
      await expect(
        loadFashionMNISTFrom(locs, { split: "test", baseUrl: `${base}cut/`, progress: false }),
      ).rejects.toThrow(`downloading from ${base}cut/ failed`);
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
    expect(lines).toEqual([
      "Downloading a.gz (2.5 MB) from http://h/a.gz\n",
      "Saved /c/a.gz (2.5 MB, SHA-256 verified)\n",
    ]);
  });
});
