// Test fixture (not published): tiny stand-ins for the four Fashion-MNIST files, with their
// digests, and helpers for temp folders. Used by fashion-mnist.test.ts and fashion-mnist-download.test.ts.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeEach } from "vitest";
import type { Locations } from "./fashion-mnist.js";
import { encodeIdx } from "./idx.js";

export const sha256 = (bytes: Uint8Array): string =>
  createHash("sha256").update(bytes).digest("hex");
export type Key = keyof Locations["files"];
export const NAMES: Record<Key, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** A tiny stand-in for the data set: 6 train and 4 test images of 28×28 with a pixel pattern. */
export function tinyFiles(offset = 0): Record<Key, Uint8Array> {
  const images = (n: number): Uint8Array =>
    encodeIdx({
      shape: [n, 28, 28],
      data: Uint8Array.from({ length: n * 784 }, (_, i) => (i * 7 + offset) % 256),
    });
  const labels = (n: number): Uint8Array =>
    encodeIdx({
      shape: [n],
      data: Uint8Array.from({ length: n }, (_, i) => (i * 3 + offset) % 10),
    });
  return {
    trainImages: images(6),
    trainLabels: labels(6),
    testImages: images(4),
    testLabels: labels(4),
  };
}
export const KEYS: Key[] = ["trainImages", "trainLabels", "testImages", "testLabels"];
function byKey<T>(f: (k: Key) => T): Record<Key, T> {
  return {
    trainImages: f("trainImages"),
    trainLabels: f("trainLabels"),
    testImages: f("testImages"),
    testLabels: f("testLabels"),
  };
}
export const TINY = tinyFiles();
export const TINY_GZ = byKey((k) => gzipSync(TINY[k]));
export const FILES = byKey((k) => ({
  name: NAMES[k],
  gzSha256: sha256(TINY_GZ[k]),
  rawSha256: sha256(TINY[k]),
}));
export const keyOf = (name: string): Key | undefined => KEYS.find((k) => NAMES[k] === name);

/** The error a promise rejects with. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error))
    throw new Error(`expected a rejection with an Error, got ${String(error)}`);
  return error;
}

/** Passes a value of the wrong type, as plain JavaScript callers can. */
export function untyped<T>(value: unknown): T {
  return value as T;
}

let work = "";

/** Gives each test of the calling file a fresh temp dir, removed afterwards. */
export function useTempDir(): void {
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "tg-fmnist-"));
    return () => rmSync(work, { recursive: true, force: true });
  });
}

/** The current test's temp dir. */
export const workDir = (): string => work;

/** A folder under the test's temp dir holding the tiny files, gzipped or plain. */
export function folder(name: string, gz: boolean, keys: Key[] = KEYS): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const k of keys)
    writeFileSync(join(dir, gz ? `${NAMES[k]}.gz` : NAMES[k]), gz ? TINY_GZ[k] : TINY[k]);
  return dir;
}

/** Search folders `dir 0`, `dir 1`, … then the cache, expecting the tiny files. */
export function locations(dirs: (string | null)[], cacheDir = join(work, "cache")): Locations {
  return {
    search: [
      ...dirs.map((dir, i) => ({ label: `dir ${i}`, dir })),
      { label: "cache", dir: cacheDir },
    ],
    cacheDir,
    files: FILES,
  };
}
