// Downloading one file for the Fashion-MNIST loader (node-only, used by fashion-mnist.ts): fetch
// with an idle timeout, progress on a stream, a SHA-256 check, then an atomic rename into place.

import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import cliProgress from "cli-progress";

/** The part of `fetch` the download uses; tests and proxies can pass their own. */
export type FetchLike = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

/** Receives download progress: a bar on a terminal, plain lines elsewhere, or nothing. */
export interface Progress {
  start(name: string, url: string, totalBytes: number): void;
  update(receivedBytes: number): void;
  stop(): void;
  saved(path: string, bytes: number): void;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** Progress on `stream`: a cli-progress bar when it is a terminal, one line per event otherwise. */
export function makeProgress(
  stream: (NodeJS.WritableStream & { isTTY?: boolean }) | null,
): Progress {
  if (stream === null) return { start() {}, update() {}, stop() {}, saved() {} };
  if (!stream.isTTY) {
    return {
      start: (name, url, total) =>
        stream.write(`Downloading ${name}${total > 0 ? ` (${mb(total)} MB)` : ""} from ${url}\n`),
      update() {},
      stop() {},
      saved: (path, bytes) => stream.write(`Saved ${path} (${mb(bytes)} MB, SHA-256 verified)\n`),
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "{name} [{bar}] {percentage}% | {got}/{size} MB | ETA {eta}s",
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let active = false;
  return {
    start: (name, _url, total) => {
      bar.start(Math.max(total, 1), 0, { name, got: "0.0", size: total > 0 ? mb(total) : "?" });
      active = true;
    },
    update: (received) => bar.update(received, { got: mb(received) }),
    stop: () => {
      if (active) bar.stop();
      active = false;
    },
    saved: (path) => stream.write(`Saved ${path} (SHA-256 verified)\n`),
  };
}

/** Settings of one download. */
export interface DownloadOptions {
  fetch: FetchLike;
  /** Abandon the download after this many milliseconds without data. */
  timeoutMs: number;
  report: Progress;
}

/**
 * Downloads `url` to `dest` atomically: the bytes go to a temporary file in the same folder, whose
 * SHA-256 must equal `sha256` before it is renamed to `dest`. On any failure the temporary file is
 * removed, so `dest` either does not exist or holds the complete, verified file.
 */
export async function downloadFile(
  url: string,
  dest: string,
  sha256: string,
  options: DownloadOptions,
): Promise<void> {
  const { fetch, timeoutMs, report } = options;
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.${randomUUID()}.part`);
  const controller = new AbortController();
  const stalled = new Error(`no data from ${url} for ${timeoutMs} ms`);
  // fetch implementations that ignore the signal are still cut off by racing this promise
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(stalled), { once: true });
  });
  aborted.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(stalled), timeoutMs);
  };
  const file = await open(tmp, "wx");
  let closed = false;
  try {
    arm();
    const response = await Promise.race([fetch(url, { signal: controller.signal }), aborted]);
    if (!response.ok || response.body === null)
      throw new Error(`${url} answered HTTP ${response.status}`);
    const total = Number(response.headers.get("content-length") ?? 0) || 0;
    report.start(basename(dest), url, total);
    const hash = createHash("sha256");
    const reader = response.body.getReader();
    let received = 0;
    for (;;) {
      const chunk = await Promise.race([reader.read(), aborted]).catch(async (e: unknown) => {
        await reader.cancel().catch(() => undefined);
        throw e;
      });
      if (chunk.done) break;
      arm();
      hash.update(chunk.value);
      await file.write(chunk.value);
      received += chunk.value.byteLength;
      report.update(received);
    }
    report.stop();
    if (total > 0 && received !== total)
      throw new Error(`${url} ended after ${received} of ${total} bytes`);
    const digest = hash.digest("hex");
    if (digest !== sha256)
      throw new Error(`${basename(dest)} from ${url} has SHA-256 ${digest}, expected ${sha256}`);
    await file.sync();
    await file.close();
    closed = true;
    await rename(tmp, dest);
    report.saved(dest, received);
  } catch (e) {
    report.stop();
    if (!closed) await file.close();
    await rm(tmp, { force: true });
    throw controller.signal.aborted ? stalled : e;
  } finally {
    clearTimeout(timer);
  }
}
