// Recycling: new typed arrays take the memory of arrays the garbage collector has found dead.
//
// Why: the first write into a freshly allocated ArrayBuffer can cost a page fault per 4 KiB.
// Chromium gives the memory of dead ArrayBuffers back to the system eagerly, so each new buffer
// starts unmapped: on a 2-core VM, making a 160 KB Float32Array and filling it took 929 µs in
// Chromium 156, 27 µs in Node 24, and 5 µs when the array reused a buffer. Training allocates the
// same sizes step after step, so `allocate` (dtype.ts) asks here for a free buffer of the same
// byte length first, and hands each array it makes to `track`.
//
// Safety. A buffer is reused only after the typed array made for it is unreachable. Everything tg
// keeps is that array itself (views of a tensor share `storage.data`); a view of its buffer
// made elsewhere (`subarray`, `new Float32Array(data.buffer)`) must not outlive it. So what an op
// keeps for its backward is an array itself or a copy, never a view into part of one (see
// checkedIndices in ops/indexing.ts), and arrays handed to users, like `dataSync()`'s, are
// `untrack`ed: they are never reused.
//
// Memory. The registry holds a dead array's buffer until its cleanup task runs, and that task
// waits for the event loop: a loop that never yields keeps every tracked buffer. So arrays are
// tracked only while the bytes tracked stay within a budget; past it they are left to the
// collector as if there were no recycler. The budget starts small (FIRST_BUDGET), so a
// synchronous loop keeps little (in Node 20, an MLP epoch that kept 64 MiB this way measured 4 to
// 10% slower than one that kept 8 MiB), and doubles, up to MAX_BUDGET, after each cleanup that follows a refusal: a page that
// yields between steps soon tracks a whole step's arrays. After a cleanup, the next `track` also
// gives up the oldest tracked arrays (long-lived ones, such as a data set) until half the budget
// is free. At most a budget's bytes wait in the free lists, the oldest dropped first, and a
// buffer not reused within a second or two is dropped: when training stops, the memory goes back
// to the collector. Where FinalizationRegistry is missing nothing is recycled.

/** Arrays smaller than this are not tracked: small buffers come from pages already in use. */
export const RECYCLE_MIN_BYTES = 16 * 1024;
/** The bytes tracked at once until a cleanup shows that the event loop turns. */
export const FIRST_BUDGET = 8 * 1024 * 1024;
/** The most bytes the budget grows to. */
export const MAX_BUDGET = 256 * 1024 * 1024;
/** Free buffers not reused for between one and two of these many milliseconds are dropped. */
export const TRIM_MS = 1000;

/** What the registry holds for a tracked array: its buffer, size and unregister token. */
interface Held {
  readonly token: object;
  readonly buffer: ArrayBuffer;
  readonly bytes: number;
}

/** Tracked arrays' tokens in the order they were tracked, with their sizes. */
const tracked = new Map<object, number>();
let trackedBytes = 0;
/** The token of each tracked array, for `untrack`. */
const tokens = new WeakMap<object, object>();
let budget = FIRST_BUDGET;
/** Whether an array was left untracked for want of budget since the last cleanup. */
let refused = false;
/** Set by each cleanup; the next `track` then adjusts the budget and gives up old arrays. */
let loopTurned = false;

/** Free buffers by byte length (reused last-in first-out). */
const free = new Map<number, ArrayBuffer[]>();
/** Every free buffer, oldest first, with the trim round it was freed in. */
const freeSince = new Map<ArrayBuffer, number>();
let freeBytes = 0;
let round = 0;
let trimPending = false;

/** Counts for tests and benchmarks: buffers reused, and arrays tracked and found dead. */
const counts = { reused: 0, tracked: 0, reclaimed: 0 };

const registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Held>(reclaim) : null;

/** A dead array's cleanup: its buffer joins the free lists (unless it was detached meanwhile). */
function reclaim({ token, buffer, bytes }: Held): void {
  if (!tracked.delete(token)) return;
  trackedBytes -= bytes;
  counts.reclaimed++;
  loopTurned = true;
  if (buffer.byteLength !== bytes) return; // transferred to another thread
  let list = free.get(bytes);
  if (list === undefined) free.set(bytes, (list = []));
  list.push(buffer);
  freeSince.set(buffer, round);
  freeBytes += bytes;
  while (freeBytes > budget) drop(freeSince.keys().next().value!);
  if (!trimPending) scheduleTrim();
}

/** Lets the collector have a free buffer. */
function drop(buffer: ArrayBuffer): void {
  const same = free.get(buffer.byteLength)!;
  same.splice(same.lastIndexOf(buffer), 1);
  freeSince.delete(buffer);
  freeBytes -= buffer.byteLength;
}

/** Drops the buffers that stayed free for a whole round, and starts the next round. */
function trim(): void {
  trimPending = false;
  for (const [buffer, since] of freeSince) {
    if (since === round) break;
    drop(buffer);
  }
  round++;
  if (freeBytes > 0) scheduleTrim();
}

/** The host's timers (Node and browsers alike; the package is typed without DOM or Node types). */
const host = globalThis as { setTimeout?: (run: () => void, ms: number) => unknown };

function scheduleTrim(): void {
  const timer = host.setTimeout?.(trim, TRIM_MS);
  trimPending = timer !== undefined;
  (timer as { unref?: () => void } | undefined)?.unref?.(); // never keeps Node running
}

/** A free buffer of exactly `bytes` bytes, with stale contents, or undefined when none is free. */
export function freeBuffer(bytes: number): ArrayBuffer | undefined {
  if (bytes < RECYCLE_MIN_BYTES || freeBytes === 0) return undefined;
  const buffer = free.get(bytes)?.pop();
  if (buffer === undefined) return undefined;
  freeSince.delete(buffer);
  freeBytes -= bytes;
  counts.reused++;
  return buffer;
}

/** Lets `data`'s buffer be reused once `data` itself is unreachable. */
export function track(data: ArrayBufferView): void {
  const bytes = data.byteLength;
  if (registry === null || bytes < RECYCLE_MIN_BYTES) return;
  if (loopTurned) {
    loopTurned = false;
    if (refused) budget = Math.min(2 * budget, MAX_BUDGET);
    refused = false;
    while (trackedBytes > budget / 2) untrackToken(tracked.keys().next().value!);
  }
  if (trackedBytes + bytes > budget) {
    refused = true;
    return;
  }
  if (data.byteOffset !== 0 || data.buffer.byteLength !== bytes) return;
  const token = {};
  registry.register(data, { token, buffer: data.buffer as ArrayBuffer, bytes }, token);
  tokens.set(data, token);
  tracked.set(token, bytes);
  trackedBytes += bytes;
  counts.tracked++;
}

/** Never reuses `data`'s buffer: for arrays whose buffer may be viewed after they are gone. */
export function untrack(data: ArrayBufferView): void {
  const token = tokens.get(data);
  if (token !== undefined) untrackToken(token);
}

function untrackToken(token: object): void {
  const bytes = tracked.get(token);
  if (bytes === undefined) return;
  registry!.unregister(token);
  tracked.delete(token);
  trackedBytes -= bytes;
}

/** The recycler's state: counts since the start, and the budget and bytes tracked and free now. */
export function recyclingStats(): { reused: number; tracked: number; reclaimed: number; budget: number; trackedBytes: number; freeBytes: number } {
  return { ...counts, budget, trackedBytes, freeBytes };
}
