import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { allocate } from "./dtype.js";
import { FREE_BYTES, RECYCLE_MIN_BYTES, TRACKED_BYTES, recyclingStats } from "./memory.js";
import { tensor } from "./creation.js";

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

  it("leaves small arrays alone", async () => {
    const small = RECYCLE_MIN_BYTES / 4 - 1;
    const buffer = bufferOfDeadArray(small, 1);
    const reclaimed = recyclingStats().reclaimed;
    bufferOfDeadArray(12_350, 1);
    await collectUntil(() => recyclingStats().reclaimed > reclaimed);
    expect(allocate("float32", small).buffer).not.toBe(buffer);
  });

  it("tracks at most TRACKED_BYTES in a loop that never yields to the event loop", () => {
    const mib = 1024 * 1024;
    for (let i = 0; i < (2 * TRACKED_BYTES) / mib; i++) allocate("float32", mib / 4 + 1).fill(i);
    expect(recyclingStats().trackedBytes).toBeLessThanOrEqual(TRACKED_BYTES);
  });

  it("keeps at most FREE_BYTES for reuse, dropping the oldest first", async () => {
    // 4 buffers of 4 MiB, then 60 of 1.08 MB: the second lot alone leaves less than 4 MiB of room
    const first = Array.from({ length: 4 }, () => bufferOfDeadArray(2 ** 20 + 2, 1));
    let reclaimed = recyclingStats().reclaimed;
    await collectUntil(() => recyclingStats().reclaimed >= reclaimed + first.length);
    const second = Array.from({ length: 60 }, () => bufferOfDeadArray(270_000, 1));
    expect(FREE_BYTES - second.length * 1_080_000).toBeLessThan(first[0].byteLength);
    reclaimed = recyclingStats().reclaimed;
    await collectUntil(() => recyclingStats().reclaimed >= reclaimed + second.length);
    expect(recyclingStats().freeBytes).toBeLessThanOrEqual(FREE_BYTES);
    expect(second).toContain(allocate("float32", 270_000).buffer);
    expect(first).not.toContain(allocate("float32", 2 ** 20 + 2).buffer);
  });
});
