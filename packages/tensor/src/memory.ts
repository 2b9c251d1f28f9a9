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
// made elsewhere (`subarray`, `new Float32Array(data.buffer)`) must not outlive it. Arrays handed
// to users, like `dataSync()`'s, are therefore `untrack`ed: they are never reused.
//
// Memory. The registry holds a dead array's buffer until its cleanup task runs, and that task
// waits for the event loop: a loop that never yields never frees it. So at most TRACKED_BYTES
// are tracked at once (the oldest are given up first, to be collected as usual), and at most
// FREE_BYTES wait for reuse (the oldest are dropped first). Where FinalizationRegistry is
// missing nothing is recycled.

/** Arrays smaller than this are not tracked: small buffers come from pages already in use. */
export const RECYCLE_MIN_BYTES = 16 * 1024;
/** The most bytes of arrays tracked at once. */
export const TRACKED_BYTES = 64 * 1024 * 1024;
/** The most bytes of free buffers kept for reuse. */
export const FREE_BYTES = 64 * 1024 * 1024;

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

/** Free buffers by byte length (reused last-in first-out), and all of them oldest first. */
const free = new Map<number, ArrayBuffer[]>();
const freeOrder = new Set<ArrayBuffer>();
let freeBytes = 0;

/** Counts for tests and benchmarks: buffers reused, and arrays tracked and found dead. */
const counts = { reused: 0, tracked: 0, reclaimed: 0 };

const registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Held>(reclaim) : null;

/** A dead array's cleanup: its buffer joins the free lists (unless it was detached meanwhile). */
function reclaim({ token, buffer, bytes }: Held): void {
  if (!tracked.delete(token)) return;
  trackedBytes -= bytes;
  counts.reclaimed++;
  if (buffer.byteLength !== bytes) return; // transferred to another thread
  let list = free.get(bytes);
  if (list === undefined) free.set(bytes, (list = []));
  list.push(buffer);
  freeOrder.add(buffer);
  freeBytes += bytes;
  while (freeBytes > FREE_BYTES) {
    const oldest: ArrayBuffer = freeOrder.values().next().value!;
    const same = free.get(oldest.byteLength)!;
    same.splice(same.indexOf(oldest), 1);
    freeOrder.delete(oldest);
    freeBytes -= oldest.byteLength;
  }
}

/** A free buffer of exactly `bytes` bytes, with stale contents, or undefined when none is free. */
export function freeBuffer(bytes: number): ArrayBuffer | undefined {
  if (bytes < RECYCLE_MIN_BYTES) return undefined;
  const buffer = free.get(bytes)?.pop();
  if (buffer === undefined) return undefined;
  freeOrder.delete(buffer);
  freeBytes -= bytes;
  counts.reused++;
  return buffer;
}

/** Lets `data`'s buffer be reused once `data` itself is unreachable. */
export function track(data: ArrayBufferView): void {
  const bytes = data.byteLength;
  if (registry === null || bytes < RECYCLE_MIN_BYTES || data.byteOffset !== 0 || data.buffer.byteLength !== bytes) return;
  const token = {};
  registry.register(data, { token, buffer: data.buffer as ArrayBuffer, bytes }, token);
  tokens.set(data, token);
  tracked.set(token, bytes);
  trackedBytes += bytes;
  counts.tracked++;
  while (trackedBytes > TRACKED_BYTES) untrackToken(tracked.keys().next().value!);
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

/** The recycler's state: counts since the start and the bytes tracked and free now. */
export function recyclingStats(): { reused: number; tracked: number; reclaimed: number; trackedBytes: number; freeBytes: number } {
  return { ...counts, trackedBytes, freeBytes };
}
