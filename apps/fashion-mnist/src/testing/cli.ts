// Helpers for the end-to-end tests: a folder of synthetic IDX files, an in-process Io that
// records what a command prints, and a way to run the real CLI as a child process.

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "@tg/data";
import type { Io, StopSignal } from "../io.js";
import { syntheticBytes } from "./synthetic.js";

/** The app folder (where package.json and src/ are). */
export const APP_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** Writes the four files of a synthetic data set into `dir`: training files plain, test files gzipped. */
export function writeSyntheticData(dir: string, trainCount: number, testCount: number): void {
  const write = (prefix: string, n: number, seed: number, gzip: boolean) => {
    const { images, labels } = syntheticBytes(n, seed);
    const save = (name: string, bytes: Uint8Array) =>
      writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
    save(`${prefix}-images-idx3-ubyte`, encodeIdx({ shape: [n, 28, 28], data: images }));
    save(`${prefix}-labels-idx1-ubyte`, encodeIdx({ shape: [n], data: labels }));
  };
  write("train", trainCount, 1, false);
  write("t10k", testCount, 2, true);
}

/** An Io whose streams are not terminals; `out`/`err` hold everything written so far. */
export function recordingIo(cwd: string, runsDir = join(cwd, "runs")): Io & { out: () => string; err: () => string; interrupt: (signal?: StopSignal) => void } {
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on("data", (c: Buffer) => chunks.out.push(c));
  stderr.on("data", (c: Buffer) => chunks.err.push(c));
  const handlers = new Set<(signal: StopSignal) => void>();
  return {
    stdout,
    stderr,
    print: (line) => void stdout.write(`${line}\n`),
    cwd,
    runsDir,
    onInterrupt: (h) => void handlers.add(h),
    offInterrupt: (h) => void handlers.delete(h),
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
    out: () => Buffer.concat(chunks.out).toString("utf8"),
    err: () => Buffer.concat(chunks.err).toString("utf8"),
    interrupt: (signal = "SIGINT") => handlers.forEach((h) => h(signal)),
  };
}

/** A running `fmnist` child process (node with tsx, from source). */
export interface Child {
  /** Resolves with the exit code (or the signal's name) once the process ends. */
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  /** Resolves when stdout has printed a line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Sends `signal` to the child's whole process group, as Ctrl-C on a terminal does (spawnScript only). */
  killGroup(signal: NodeJS.Signals): void;
}

/** Starts `fmnist <args>` as a child process. */
export function spawnCli(args: string[]): Child {
  return spawnChild(process.execPath, ["--import", "tsx", "--conditions=@tg/source", "src/cli.ts", ...args], false);
}

/**
 * Starts `pnpm --silent run fmnist <args>` in the app folder (the script `pnpm fmnist` runs) in a
 * process group of its own, like a job started from a shell.
 */
export function spawnScript(args: string[]): Child {
  return spawnChild("pnpm", ["--silent", "run", "fmnist", ...args], true);
}

function spawnChild(command: string, args: string[], ownGroup: boolean): Child {
  const child = spawn(command, args, {
    cwd: APP_DIR,
    env: { ...process.env, INIT_CWD: APP_DIR, FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: ownGroup,
  });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
    for (const w of waiters.filter((w) => w.pattern.test(stdout))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    done,
    waitFor: (pattern) =>
      pattern.test(stdout) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pattern, resolve })),
    kill: (signal) => void child.kill(signal),
    killGroup: (signal) => {
      if (!ownGroup || child.pid === undefined) throw new Error("killGroup needs a child started by spawnScript");
      process.kill(-child.pid, signal);
    },
  };
}

/** The control characters in `text` other than newline (escape codes, carriage returns), as char codes. */
export function controlCharacters(text: string): number[] {
  const found: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 32 && code !== 10) || code === 127) found.push(code);
  }
  return found;
}
