// A run folder belongs to one run: --out is checked before the data is loaded, a folder with
// another run's files is refused unless --force clears them, and a lock names the run holding it.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";
import type { MetricsFile } from "./metrics.js";
import { RUN_FILES } from "./report.js";
import { claimRunFolder, LOCK_FILE } from "./run-folder.js";
import { recordingIo, writeSyntheticData } from "./testing/cli.js";

let dir = "";
let data = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fmnist-folder-"));
  data = join(dir, "data");
  mkdirSync(data);
  writeSyntheticData(data, 64, 16);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRAIN = ["train", "--epochs", "1", "--batch-size", "32"];

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo(dir);
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** A folder that a finished run filled. */
async function finishedRun(name: string): Promise<string> {
  const out = join(dir, name);
  expect((await run([...TRAIN, "--data-dir", data, "--out", out])).code).toBe(0);
  return out;
}

describe("--out is checked before any data is loaded", { timeout: 60_000 }, () => {
  // a --data-dir that does not exist: an error naming it would mean the data was read first
  const nowhere = ["--data-dir", "no-such-data"];

  it.each([
    ["a file", (file: string) => file, /^fmnist: --out .*plain-file is a file, not a folder\n$/],
    ["under a file", (file: string) => join(file, "run"), /^fmnist: --out .*plain-file\/run cannot be made: .*plain-file is a file\n$/],
  ])("refuses a path that is %s with exit code 2 and one line naming --out", async (_, path, pattern) => {
    const file = join(dir, "plain-file");
    writeFileSync(file, "not a folder");
    const { code, err } = await run([...TRAIN, ...nowhere, "--out", path(file)]);
    expect(code).toBe(2);
    expect(err).toMatch(pattern);
  });

  it.runIf(process.platform === "linux")("refuses a folder that cannot be made or written, such as /proc/x and /proc, at once", async () => {
    const made = await run([...TRAIN, ...nowhere, "--out", "/proc/fmnist-run"]);
    expect(made.code).toBe(2);
    expect(made.err).toMatch(/^fmnist: --out \/proc\/fmnist-run cannot be made: \/proc\/fmnist-run: .*\n$/);
    const written = await run([...TRAIN, ...nowhere, "--out", "/proc"]);
    expect(written.code).toBe(2);
    expect(written.err).toMatch(/^fmnist: --out \/proc is not writable: .*\n$/);
  });

  it("removes the folders it made when the data then cannot be loaded", async () => {
    const out = join(dir, "new-parent", "run");
    const { code, err } = await run([...TRAIN, ...nowhere, "--out", out]);
    expect(code).toBe(2);
    expect(err).toMatch(/--data-dir .*no-such-data is not a folder/);
    expect(existsSync(join(dir, "new-parent"))).toBe(false);
  });

  it("refuses an empty --out", async () => {
    const { code, err } = await run([...TRAIN, "--data-dir", data, "--out", ""]);
    expect(code).toBe(2);
    expect(err).toBe("fmnist: --out must name a folder, got ''\n");
  });
});

describe("a run folder holds one run", { timeout: 60_000 }, () => {
  it("refuses a folder with another run's files, naming them, and leaves them as they were", async () => {
    const out = await finishedRun("taken");
    const before = readFileSync(join(out, RUN_FILES.metrics), "utf8");
    const { code, err } = await run([...TRAIN, "--data-dir", data, "--out", out, "--seed", "1"]);
    expect(code).toBe(2);
    expect(err).toMatch(/^fmnist: --out .*taken holds another run's files \(confusion-matrix.png, confusion-matrix.svg, gradient-flow.svg and 6 more\); pass --force to delete them, or choose another --out\n$/);
    expect(readFileSync(join(out, RUN_FILES.metrics), "utf8")).toBe(before);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it("with --force deletes the earlier run's files first, so none is left beside the new run's", async () => {
    const out = await finishedRun("replaced");
    const io = recordingIo(dir);
    // stopped before its first epoch: the old checkpoint and report must not survive next to it
    io.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().startsWith("training ")) io.interrupt();
    });
    const code = await main([...TRAIN, "--data-dir", data, "--out", out, "--seed", "1", "--force"], io);
    expect(code).toBe(130);
    expect(readdirSync(out)).toEqual([RUN_FILES.metrics]);
    const metrics: MetricsFile = JSON.parse(readFileSync(join(out, RUN_FILES.metrics), "utf8"));
    expect(metrics).toMatchObject({ status: "interrupted", epochs: [], settings: { seed: 1 } });
  });

  it("with --force keeps the earlier run whole when the new one cannot load its data", async () => {
    const out = await finishedRun("kept");
    const before = readdirSync(out).map((name) => [name, readFileSync(join(out, name), "utf8")]);
    const { code, err } = await run([...TRAIN, "--data-dir", "no-such-data", "--out", out, "--force"]);
    expect(code).toBe(2);
    expect(err).toMatch(/--data-dir .*no-such-data is not a folder/);
    expect(readdirSync(out).map((name) => [name, readFileSync(join(out, name), "utf8")])).toEqual(before);
  });

  it("refuses, even with --force, a folder holding files that are not a run's", async () => {
    const out = join(dir, "home-like");
    mkdirSync(out);
    writeFileSync(join(out, "notes.txt"), "keep me");
    const { code, err } = await run([...TRAIN, "--data-dir", data, "--out", out, "--force"]);
    expect(code).toBe(2);
    expect(err).toMatch(/^fmnist: --out .*home-like holds files that are not a run's \(notes.txt\); choose a new or empty folder\n$/);
    expect(readdirSync(out)).toEqual(["notes.txt"]);
  });

  it("accepts an empty folder that exists, and leaves no lock behind", async () => {
    const out = join(dir, "empty");
    mkdirSync(out);
    expect((await run([...TRAIN, "--data-dir", data, "--out", out])).code).toBe(0);
    expect(readdirSync(out)).not.toContain(LOCK_FILE);
    expect(readdirSync(out).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("a second Ctrl-C", { timeout: 60_000 }, () => {
  it("quits at once, leaving metrics.json whole with status interrupted and no lock", async () => {
    const out = join(dir, "quit-now");
    const io = recordingIo(dir);
    const seen: { exit: string; metrics: MetricsFile; locked: boolean }[] = [];
    io.stdout.on("data", (chunk: Buffer) => {
      if (!/^epoch +1\/1000 \|/m.test(chunk.toString()) || seen.length > 0) return;
      io.interrupt();
      try {
        io.interrupt(); // the recording Io's exit throws where the real one ends the process
      } catch (err) {
        const metrics: MetricsFile = JSON.parse(readFileSync(join(out, RUN_FILES.metrics), "utf8"));
        seen.push({ exit: String(err), metrics, locked: existsSync(join(out, LOCK_FILE)) });
      }
    });
    await main([...TRAIN, "--epochs", "1000", "--data-dir", data, "--out", out], io);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ exit: "Error: exit 130", metrics: { status: "interrupted", epochs: [{ epoch: 1 }] }, locked: false });
  });
});

describe("the lock", { timeout: 60_000 }, () => {
  it("refuses a folder another live run holds, naming its pid, host and start", async () => {
    const out = join(dir, "busy");
    mkdirSync(out);
    const holder = { pid: process.pid, host: hostname(), started: "2026-01-02T03:04:05.000Z" };
    writeFileSync(join(out, LOCK_FILE), JSON.stringify(holder));
    const { code, err } = await run([...TRAIN, "--data-dir", data, "--out", out, "--force"]);
    expect(code).toBe(2);
    expect(err).toBe(
      `fmnist: --out ${out} is in use by another run (pid ${process.pid} on ${hostname()}, started 2026-01-02T03:04:05.000Z); wait for it to end or choose another --out\n`,
    );
    expect(JSON.parse(readFileSync(join(out, LOCK_FILE), "utf8"))).toEqual(holder);
  });

  it("takes over the lock of a run that died without releasing it", async () => {
    const out = join(dir, "stale");
    mkdirSync(out);
    const dead = { pid: 2 ** 31 - 1, host: hostname(), started: "2026-01-02T03:04:05.000Z" }; // no such process
    writeFileSync(join(out, LOCK_FILE), JSON.stringify(dead));
    expect((await run([...TRAIN, "--data-dir", data, "--out", out])).code).toBe(0);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it("is held for the run's lifetime and names this process", () => {
    const out = join(dir, "held");
    const folder = claimRunFolder(out, false);
    const lock = JSON.parse(readFileSync(join(out, LOCK_FILE), "utf8"));
    expect(lock).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isNaN(Date.parse(lock.started))).toBe(false);
    expect(() => claimRunFolder(out, true, { pid: process.pid + 1, host: hostname(), started: "now" })).toThrow(/is in use by another run \(pid \d+/);
    folder.release();
    expect(existsSync(out)).toBe(false); // made by the claim and still empty
  });
});
