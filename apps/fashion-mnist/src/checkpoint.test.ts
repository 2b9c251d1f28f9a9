import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSafetensorsMetadata, saveSafetensors } from "@tg/nn";
import { Rng } from "@tg/tensor";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { UsageError } from "./errors.js";
import { buildModel } from "./models.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fmnist-checkpoint-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("checkpoints", () => {
  it("round-trips the CNN's weights with its architecture in the metadata", () => {
    const model = buildModel("cnn", new Rng(7));
    const path = join(dir, "model.safetensors");
    saveCheckpoint(path, model, "cnn", { epoch: "3" });
    expect(loadSafetensorsMetadata(readFileSync(path))).toEqual({ format: "pt", architecture: "cnn", epoch: "3" });
    const loaded = loadCheckpoint(path);
    expect(loaded.architecture).toBe("cnn");
    expect(loaded.model.training).toBe(false);
    const saved = model.stateDict();
    for (const [name, t] of Object.entries(loaded.model.stateDict())) {
      // the bytes compared at once: toEqual walks 400,000 elements one by one (seconds on a busy machine)
      const bytes = (a: Float32Array | Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      expect(bytes(t.dataSync()).equals(bytes(saved[name].dataSync())), name).toBe(true);
    }
  }, 30_000);

  it("recognises a checkpoint without metadata by its tensor names and shapes", () => {
    const path = join(dir, "plain.safetensors");
    writeFileSync(path, saveSafetensors(buildModel("mlp", new Rng(1))));
    expect(loadCheckpoint(path).architecture).toBe("mlp");
  });

  it("refuses an unknown architecture, or one other than asked for, as a UsageError", () => {
    const path = join(dir, "odd.safetensors");
    writeFileSync(path, saveSafetensors(buildModel("mlp", new Rng(1)), { architecture: "resnet" }));
    expect(() => loadCheckpoint(path)).toThrow(new UsageError(`checkpoint ${path} holds architecture 'resnet'; expected mlp or cnn`));
    const mlp = join(dir, "mlp.safetensors");
    saveCheckpoint(mlp, buildModel("mlp", new Rng(1)), "mlp");
    expect(() => loadCheckpoint(mlp, "cnn")).toThrow(`checkpoint ${mlp} holds architecture mlp, not cnn`);
  });
});
