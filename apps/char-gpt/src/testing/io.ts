// Test helper: an in-process Io that records what a command prints.

import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { Io } from "../io.js";

/** An Io whose streams are not terminals; `out`/`err` hold everything written so far. */
export function recordingIo(cwd: string, runsDir = join(cwd, "runs")): Io & { out: () => string; err: () => string; interrupt: () => void } {
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on("data", (c: Buffer) => chunks.out.push(c));
  stderr.on("data", (c: Buffer) => chunks.err.push(c));
  const handlers = new Set<() => void>();
  return {
    stdout,
    stderr,
    print: (line) => void stdout.write(`${line}\n`),
    cwd,
    runsDir,
    onInterrupt: (h) => void handlers.add(h),
    offInterrupt: (h) => void handlers.delete(h),
    out: () => Buffer.concat(chunks.out).toString("utf8"),
    err: () => Buffer.concat(chunks.err).toString("utf8"),
    interrupt: () => handlers.forEach((h) => h()),
  };
}

/** A small repetitive English text, so a tiny model learns it in a few dozen steps. */
export function tinyText(): string {
  const lines = ["the cat sat on the mat.", "a dog ran to the cat.", "the mat was red and the dog was not.", "on the mat sat a red cat."];
  return Array.from({ length: 80 }, (_, i) => lines[(i * 7) % lines.length]).join("\n") + "\n";
}
