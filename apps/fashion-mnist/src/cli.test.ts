// The real program as a child process: exit codes, one-line errors without stack traces, and
// Ctrl-C in the middle of training leaving a valid metrics.json and a report.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricsFile } from "./metrics.js";
import { spawnCli, spawnScript, writeSyntheticData } from "./testing/cli.js";

let dir = "";
let data = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fmnist-cli-"));
  data = join(dir, "data");
  mkdirSync(data);
  writeSyntheticData(data, 640, 64);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fmnist as a program", () => {
  it("prints the help and exits 0", async () => {
    const { code, stdout } = await spawnCli(["--help"]).done;
    expect(code).toBe(0);
    expect(stdout).toContain("fmnist train [options]");
  }, 30_000);

  it("answers bad options with one line on stderr and exit code 2, never a stack trace", async () => {
    const runs = await Promise.all(
      [
        ["train", "--epochs", "-1"],
        ["train", "--model", "transformer"],
        ["evaluate", "--checkpoint", join(dir, "missing.safetensors")],
      ].map((args) => spawnCli(args).done),
    );
    const messages = runs.map(({ code, stdout, stderr }) => {
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.endsWith("\n")).toBe(true);
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at |Error:/);
      return stderr.trimEnd();
    });
    expect(messages).toEqual([
      "fmnist: --epochs must be an integer >= 1, got '-1'",
      "fmnist: --model must be one of mlp, cnn, got 'transformer'",
      `fmnist: checkpoint ${join(dir, "missing.safetensors")} does not exist`,
    ]);
  }, 30_000);

  it("stops on Ctrl-C with exit code 130, keeping the finished epochs in metrics.json and the report", async () => {
    const out = join(dir, "interrupted");
    const child = spawnCli(["train", "--data-dir", data, "--out", out, "--epochs", "1000", "--batch-size", "16"]);
    await child.waitFor(/^epoch +1\/1000 \| train loss/m);
    child.kill("SIGINT");
    const { code, stdout } = await child.done;
    expect(code).toBe(130);
    expect(stdout).toContain("interrupted: writing the report");
    const metrics: MetricsFile = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(metrics.status).toBe("interrupted");
    expect(metrics.epochs.length).toBeGreaterThanOrEqual(1);
    expect(metrics.epochs.length).toBeLessThan(1000);
    expect(metrics.epochs.map((e) => e.epoch)).toEqual(metrics.epochs.map((_, i) => i + 1));
    expect(existsSync(join(out, "report.html"))).toBe(true);
    expect(existsSync(join(out, "model.safetensors"))).toBe(true);
  }, 60_000);

  it("ends on SIGTERM like Ctrl-C: finished epochs reported, status interrupted, exit code 143", async () => {
    const out = join(dir, "terminated");
    const child = spawnCli(["train", "--data-dir", data, "--out", out, "--epochs", "1000", "--batch-size", "16"]);
    await child.waitFor(/^epoch +1\/1000 \| train loss/m);
    child.kill("SIGTERM");
    const { code, signal, stdout } = await child.done;
    expect({ code, signal }).toEqual({ code: 143, signal: null });
    expect(stdout).toContain("terminated: writing the report");
    expect(stdout).toContain(`report: ${join(out, "report.html")}`);
    const metrics: MetricsFile = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(metrics.status).toBe("interrupted");
    expect(metrics.epochs.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("through `pnpm fmnist`, still writes the report and prints its line when Ctrl-C reaches every process", async () => {
    // Ctrl-C on a terminal signals pnpm, its shell and the program at once; no wrapper in between
    // may signal the program a second time (which means "quit now") or kill it while it is busy;
    // steps of all 640 images keep it busy most of the time, as real training does
    const out = join(dir, "through-pnpm");
    const child = spawnScript(["train", "--data-dir", data, "--out", out, "--epochs", "1000", "--batch-size", "640"]);
    await child.waitFor(/^epoch +1\/1000 \| train loss/m);
    child.killGroup("SIGINT");
    const { stdout } = await child.done; // pnpm's own exit status is pnpm's affair
    expect(stdout).toContain("interrupted: writing the report");
    expect(stdout).toContain(`report: ${join(out, "report.html")}`);
    expect(JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"))).toMatchObject({ status: "interrupted" });
  }, 90_000);

  it("lets one of two runs into the same folder; the other exits 2 naming the holder", async () => {
    const out = join(dir, "shared");
    const first = spawnCli(["train", "--data-dir", data, "--out", out, "--epochs", "1000", "--batch-size", "16"]);
    await first.waitFor(/^epoch +1\/1000 \| train loss/m);
    const second = await spawnCli(["train", "--data-dir", data, "--out", out, "--seed", "1", "--force"]).done;
    first.kill("SIGINT");
    const firstDone = await first.done;
    expect(second.code).toBe(2);
    expect(second.stdout).toBe("");
    expect(second.stderr).toMatch(/^fmnist: --out .*shared is in use by another run \(pid \d+ on .+, started \d{4}-\d\d-\d\dT.*\); wait for it to end or choose another --out\n$/);
    expect(firstDone.code).toBe(130);
    const metrics: MetricsFile = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    expect(metrics.settings.seed).toBe(0);
  }, 90_000);
});
