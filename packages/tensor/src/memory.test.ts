import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { allocate } from "./dtype.js";
import { FIRST_BUDGET, MAX_BUDGET, RECYCLE_MIN_BYTES, TRIM_MS, recyclingStats } from "./memory.js";
import { tensor } from "./creation.js";
import { embedding } from "./ops/sequence.js";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Collects garbage and lets the registry's cleanup tasks run until `done()` holds. */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(done()).toBe(true);
}

/** Waits on real time until `done()` holds, for at most `ms` milliseconds. */
async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(done()).toBe(true);
}

/** Makes an array of `length` floats filled with `value` and keeps only its buffer. */
function bufferOfDeadArray(length: number, value: number): ArrayBuffer {
  return allocate("float32", length).fill(value).buffer as ArrayBuffer;
}

describe("allocate recycles the memory of dead arrays", () => {
  it("gives a dead array's buffer, zero-filled, to the next array of the same byte length", async () => {
    const reclaimed = recyclingStats().reclaimed;
    const buffer = bufferOfDeadArray(12_345, 7);
    await collectUntil(() => recyclingStats().reclaimed > reclaimed);
    const reused = recyclingStats().reused;
    const next = allocate("int32", 12_345); // another dtype of the same byte length
    expect(next.buffer).toBe(buffer);
    expect(next.every((v) => v === 0)).toBe(true);
    expect(recyclingStats().reused).toBe(reused + 1);
  });

  it("never hands out the buffer of an array that is still reachable", async () => {
    const live = allocate("float32", 12_346).fill(3);
    const reclaimed = recyclingStats().reclaimed;
    bufferOfDeadArray(12_347, 1); // something else to collect, so we know a cleanup ran
    await collectUntil(() => recyclingStats().reclaimed > reclaimed);
    for (let i = 0; i < 4; i++) expect(allocate("float32", 12_346).buffer).not.toBe(live.buffer);
    expect(live.every((v) => v === 3)).toBe(true);
  });

  it("never reuses the array dataSync() returns, even when only a view of it is kept", async () => {
    const x = tensor(Array.from({ length: 12_348 }, (_, i) => i));
    const kept = new Float32Array(x.mul(2).dataSync().buffer, 0, 8);
    const reclaimed = recyclingStats().reclaimed;
    bufferOfDeadArray(12_349, 1);
    await collectUntil(() => recyclingStats().reclaimed > reclaimed);
    for (let i = 0; i < 4; i++) allocate("float32", 12_348).fill(-1);
    expect(Array.from(kept)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
  });

  it("never lets an op's saved indices change when the index tensor is gone", async () => {
    // embedding keeps its indices for the backward; here they are a view into a larger array
    const weight = tensor(Array.from({ length: 40 }, (_, i) => i), { shape: [20, 2], requiresGrad: true });
    const n = 12_354;
    const out = (() => {
      const all = tensor(Int32Array.from({ length: n + 1 }, (_, i) => i % 20));
      return embedding(all.slice(0, 1, n + 1), weight); // indices 1, 2, …, 19, 0, 1, …
    })();
    const reclaimed = recyclingStats().reclaimed;
    bufferOfDeadArray(12_355, 1);
    await collectUntil(() => recyclingStats().reclaimed > reclaimed);
    for (let i = 0; i < 4; i++) allocate("int32", n + 1).fill(7); // would take the dead index buffer
    out.sum().backward();
    const counts = Array.from({ length: 20 }, (_, row) => Array.from({ length: n }, (_, i) => (i + 1) % 20).filter((v) => v === row).length);
    expect(weight.grad!.toArray()).toEqual(counts.map((c) => [c, c]));
  });

  it("leaves small arrays alone", async () => {
    const small = RECYCLE_MIN_BYTES / 4 - 1;
    const buffer = bufferOfDeadArray(small, 1);
    const reclaimed = recyclingStats().reclaimed;
    bufferOfDeadArray(12_350, 1);
    await collectUntil(() => recyclingStats().reclaimed > reclaimed);
    expect(allocate("float32", small).buffer).not.toBe(buffer);
  });

  it("keeps at most a budget of buffers for reuse, dropping the oldest first", async () => {
    const budget = recyclingStats().budget;
    const size = 4 * Math.floor(budget / 36); // 8 of these leave less than a quarter budget free
    const first = [bufferOfDeadArray(budget / 16, 1), bufferOfDeadArray(budget / 16, 1)]; // budget / 4 bytes each
    let reclaimed = recyclingStats().reclaimed;
    await collectUntil(() => recyclingStats().reclaimed >= reclaimed + first.length);
    const second = Array.from({ length: 8 }, () => bufferOfDeadArray(size / 4, 1));
    reclaimed = recyclingStats().reclaimed;
    await collectUntil(() => recyclingStats().reclaimed >= reclaimed + second.length);
    expect(recyclingStats().freeBytes).toBeLessThanOrEqual(budget);
    expect(second).toContain(allocate("float32", size / 4).buffer);
    expect(first).not.toContain(allocate("float32", budget / 16).buffer);
  });

  it("lets the collector have buffers that stay free for a couple of seconds", async () => {
    bufferOfDeadArray(12_352, 1);
    await collectUntil(() => recyclingStats().freeBytes > 0);
    // two trim rounds release it; the generous wait is for a loaded machine, not a bound to meet
    await waitUntil(() => recyclingStats().freeBytes === 0, 20 * TRIM_MS);
  }, 30_000);

  it("tracks at most its budget in a loop that never yields to the event loop", () => {
    const { budget, tracked } = recyclingStats();
    const mib = 1024 * 1024;
    for (let i = 0; i < (2 * budget) / mib; i++) allocate("float32", mib / 4).fill(i);
    expect(recyclingStats().trackedBytes).toBeLessThanOrEqual(budget);
    expect(recyclingStats().tracked - tracked).toBeLessThanOrEqual(budget / mib);
    expect(recyclingStats().budget).toBe(budget);
  });

  it("doubles the budget, up to MAX_BUDGET, each time the event loop turns after a refusal", async () => {
    const mib = 1024 * 1024;
    const overfillAndTurn = async (): Promise<void> => {
      for (let i = 0; i <= recyclingStats().budget / mib; i++) allocate("float32", mib / 4); // one too many
      const reclaimed = recyclingStats().reclaimed;
      await collectUntil(() => recyclingStats().reclaimed > reclaimed);
      allocate("float32", mib / 4);
    };
    for (let doubled = 0; recyclingStats().budget < MAX_BUDGET; doubled++) {
      expect(doubled).toBeLessThan(Math.log2(MAX_BUDGET / FIRST_BUDGET));
      const { budget } = recyclingStats();
      await overfillAndTurn();
      expect(recyclingStats().budget).toBe(2 * budget);
    }
    await overfillAndTurn();
    expect(recyclingStats().budget).toBe(MAX_BUDGET);
  });

  it("gives up long-lived arrays once the event loop turns, so new ones are tracked again", async () => {
    const mib = 1024 * 1024;
    await collectUntil(() => recyclingStats().trackedBytes < mib); // the loops' arrays above
    const { budget } = recyclingStats();
    bufferOfDeadArray(12_353, 1);
    const kept = Array.from({ length: budget / mib - 1 }, () => allocate("float32", mib / 4).fill(2));
    expect(recyclingStats().trackedBytes).toBeGreaterThan(budget - 2 * mib);
    const reclaimed = recyclingStats().reclaimed;
    await collectUntil(() => recyclingStats().reclaimed > reclaimed);
    const tracked = recyclingStats().tracked;
    allocate("float32", mib / 2); // would not fit beside the kept arrays
    expect(recyclingStats().tracked).toBe(tracked + 1);
    expect(recyclingStats().trackedBytes).toBeLessThanOrEqual(budget / 2 + 2 * mib);
    expect(kept.every((a) => a.every((v) => v === 2))).toBe(true);
  });
});
