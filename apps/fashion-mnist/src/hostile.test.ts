// What a hostile or unlucky user meets, end to end in-process: a run that diverges, an empty data
// set, and crafted checkpoints (escape codes in names, `__proto__`, NaN weights). Each one ends
// with one line, the documented exit code, and no NaN or null figure in metrics.json.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from "@tg/nn";
import { Rng, tensor } from "@tg/tensor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveCheckpoint } from "./checkpoint.js";
import { main } from "./main.js";
import type { MetricsFile } from "./metrics.js";
import { buildModel } from "./models.js";
import { RUN_FILES } from "./report.js";
import { controlCharacters, recordingIo, writeSyntheticData } from "./testing/cli.js";

let dir = "";
let data = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fmnist-hostile-"));
  data = join(dir, "data");
  mkdirSync(data);
  writeSyntheticData(data, 64, 16);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo(dir);
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const readMetrics = (out: string): { text: string; metrics: MetricsFile } => {
  const text = readFileSync(join(out, RUN_FILES.metrics), "utf8");
  return { text, metrics: JSON.parse(text) };
};

// SGD with lr 10 on these 64 images: epoch 1 ends finite (a huge loss), epoch 2's second step is NaN
const sgd = () => ["train", "--data-dir", data, "--optimizer", "sgd", "--weight-decay", "0", "--batch-size", "16", "--seed", "0"];

describe("a diverging run", { timeout: 60_000 }, () => {
  it("stops at the first NaN loss with exit 3 and one line naming the epoch, the step and --lr", async () => {
    const out = join(dir, "diverged-at-once");
    const { code, err } = await run([...sgd(), "--lr", "10000", "--epochs", "2", "--out", out]);
    expect(code).toBe(3);
    const lines = err.split("\n").filter((l) => l.startsWith("fmnist:"));
    expect(lines).toEqual(["fmnist: training diverged at epoch 1, step 4 of 4: the loss is NaN; try a lower --lr (this run used 10000)"]);
    const { text, metrics } = readMetrics(out);
    expect(metrics.status).toBe("diverged");
    expect(metrics.divergence).toEqual({ epoch: 1, step: 4, steps: 4, what: "the loss is NaN" });
    expect(metrics.epochs).toEqual([]);
    expect(text.replace(`"what": "the loss is NaN"`, "")).not.toMatch(/NaN|Infinity|(Loss|Accuracy|seconds|samplesPerSecond)": null/);
    expect(() => readFileSync(join(out, RUN_FILES.checkpoint))).toThrow(/ENOENT/);
  });

  it("keeps the checkpoint and report of the last finite epoch, and warns of the huge loss first", async () => {
    const out = join(dir, "diverged-later");
    // a fixed learning rate, so that the blow-up lands in epoch 2 whatever the schedule default
    const { code, out: stdout, err } = await run([...sgd(), "--lr", "10", "--schedule", "constant", "--epochs", "3", "--out", out]);
    expect(code).toBe(3);
    expect(err).toContain("warning: epoch 1 step 3: the loss is 5.80e+6, training may be diverging; a lower --lr than 10 may help\n");
    expect(err).toMatch(/^fmnist: training diverged at epoch 2, step 2 of 4: the loss is NaN; the checkpoint of epoch 1 is kept; try a lower --lr \(this run used 10\)\n$/m);
    const { text, metrics } = readMetrics(out);
    expect(metrics).toMatchObject({ status: "diverged", divergence: { epoch: 2, step: 2 }, final: { epoch: 1 } });
    expect(metrics.epochs.map((e) => e.epoch)).toEqual([1]);
    expect(text.replace(`"what": "the loss is NaN"`, "")).not.toMatch(/NaN|Infinity|(Loss|Accuracy|seconds|samplesPerSecond)": null/);
    const checkpoint = readFileSync(join(out, RUN_FILES.checkpoint));
    expect(loadSafetensorsMetadata(checkpoint).epoch).toBe("1");
    for (const t of Object.values(loadSafetensors(checkpoint))) expect(t.dataSync().every(Number.isFinite)).toBe(true);
    expect(stdout).toContain(`report: ${join(out, RUN_FILES.report)}`);
    expect(readFileSync(join(out, RUN_FILES.report), "utf8")).toContain("1 of 3 (diverged)");
  });

  it("says how long an epoch will take before it starts, however many epochs are asked for", async () => {
    const io = recordingIo(dir);
    io.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().startsWith("about ")) io.interrupt("SIGTERM");
    });
    const code = await main(["train", "--data-dir", data, "--epochs", "1000000000", "--out", join(dir, "long")], io);
    expect(code).toBe(143);
    expect(io.out()).toMatch(/^about [\d.]+ s per epoch, (\d+ days|[\d.]+ years) for all 1000000000 \(timed on a few steps\)$/m);
    expect(io.out()).toContain("terminated: writing the report of the 0 finished epoch(s)");
    expect(readMetrics(join(dir, "long")).metrics.status).toBe("interrupted");
  });
});

describe("an empty data set", { timeout: 60_000 }, () => {
  it("is refused by train and evaluate with exit 2 and one line", async () => {
    const empty = join(dir, "empty-data");
    mkdirSync(empty);
    writeSyntheticData(empty, 0, 0);
    const trained = await run(["train", "--data-dir", empty, "--out", join(dir, "never")]);
    expect(trained.code).toBe(2);
    expect(trained.err).toBe(`fmnist: the train set in --data-dir ${empty} holds no images; at least one is needed\n`);
    const checkpoint = join(dir, "fresh.safetensors");
    saveCheckpoint(checkpoint, buildModel("mlp", new Rng(0)), "mlp");
    const evaluated = await run(["evaluate", "--checkpoint", checkpoint, "--data-dir", empty]);
    expect(evaluated.code).toBe(2);
    expect(evaluated.err).toBe(`fmnist: the test set in --data-dir ${empty} holds no images; at least one is needed\n`);
  });
});

describe("a crafted checkpoint", { timeout: 60_000 }, () => {
  const mlpTensors = () => buildModel("mlp", new Rng(0)).stateDict();

  it("cannot move the cursor, retitle or clear the terminal through names printed in an error", async () => {
    const titled = join(dir, "titled.safetensors");
    writeFileSync(titled, saveSafetensors({ "\u001b]0;pwned\u0007\u001b[2J": tensor([1]) }));
    const architecture = join(dir, "architecture.safetensors");
    writeFileSync(architecture, saveSafetensors(mlpTensors(), { architecture: "\u001b[2J\u009b31m\rmlp" }));
    for (const path of [titled, architecture]) {
      const { code, err } = await run(["evaluate", "--checkpoint", path, "--data-dir", data]);
      expect(code).toBe(2);
      expect(controlCharacters(err.trimEnd())).toEqual([]);
      expect(err.trimEnd().split("\n")).toHaveLength(1);
    }
    expect((await run(["evaluate", "--checkpoint", titled, "--data-dir", data])).err).toContain("\\x1b]0;pwned\\x07\\x1b[2J");
    expect((await run(["evaluate", "--checkpoint", architecture, "--data-dir", data])).err).toContain(
      "holds architecture '\\x1b[2J\\x9b31m\\x0dmlp'; expected mlp or cnn",
    );
  });

  it("prints a file name with control characters escaped in the figures of evaluate", async () => {
    const path = join(dir, "clear\u001b[2J.safetensors");
    saveCheckpoint(path, buildModel("mlp", new Rng(0)), "mlp");
    const { code, out } = await run(["evaluate", "--checkpoint", path, "--data-dir", data]);
    expect(code).toBe(0);
    expect(controlCharacters(out)).toEqual([]);
    expect(out).toContain("clear\\x1b[2J.safetensors");
  });

  it("with a tensor named __proto__ beside an MLP's is refused, not evaluated", async () => {
    const path = join(dir, "proto.safetensors");
    const tensors = Object.fromEntries([...Object.entries(mlpTensors()), ["__proto__", tensor([1, 2])]]);
    writeFileSync(path, saveSafetensors(tensors, { architecture: "mlp" }));
    const { code, err } = await run(["evaluate", "--checkpoint", path, "--data-dir", data]);
    expect(code).toBe(2);
    expect(err).toMatch(/^fmnist: checkpoint .* does not fit the mlp model: loadStateDict: .* unexpected keys "__proto__"\n$/);
  });

  it("with NaN weights is refused by evaluate instead of scoring NaN", async () => {
    const path = join(dir, "nan.safetensors");
    const tensors = mlpTensors();
    tensors["4.bias"] = tensors["4.bias"].mul(Number.NaN);
    writeFileSync(path, saveSafetensors(tensors, { architecture: "mlp" }));
    const { code, err, out } = await run(["evaluate", "--checkpoint", path, "--data-dir", data]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(`fmnist: checkpoint ${path} holds weights that are not finite (NaN or infinite values in 4.bias); it cannot be evaluated\n`);
  });

  it("with finite weights whose logits overflow is refused by evaluate and predict", async () => {
    const path = join(dir, "overflow.safetensors");
    const tensors = mlpTensors();
    for (const name of ["1.weight", "4.weight", "7.weight"]) tensors[name] = tensors[name].mul(1e20); // finite in float32
    writeFileSync(path, saveSafetensors(tensors, { architecture: "mlp" }));
    const evaluated = await run(["evaluate", "--checkpoint", path, "--data-dir", data]);
    expect(evaluated).toEqual({ code: 2, out: "", err: `fmnist: checkpoint ${path} gives a test loss of NaN (its logits overflow); it cannot be evaluated\n` });
    const predicted = await run(["predict", "--checkpoint", path, "--data-dir", data, "--index", "0"]);
    expect(predicted).toEqual({ code: 2, out: "", err: `fmnist: checkpoint ${path} gives probabilities that are not finite for test image 0 (its logits overflow)\n` });
  });
});
