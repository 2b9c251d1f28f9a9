// The checkpoint loads in PyTorch: docs/torch_gpt.py rebuilds the model with torch.nn, reads the
// safetensors file, and must produce the same logits as tg. Skipped where PyTorch is missing.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CharTokenizer } from "@tg/data";
import { noGrad, Rng, tensor } from "@tg/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { saveCheckpoint } from "./checkpoint.js";
import { Gpt } from "./model.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("../docs/torch_gpt.py", import.meta.url));
// one thread, and none of the OpenBLAS CPU overrides some machines set for other programs
const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const hasTorch = spawnSync(PYTHON, ["-c", "import torch"], { env }).status === 0;

const dir = mkdtempSync(join(tmpdir(), "char-gpt-torch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasTorch)("the checkpoint in PyTorch", () => {
  it("gives the same logits in torch.nn as in tg", () => {
    const tokenizer = CharTokenizer.fromText("the quick brown fox jumps over a lazy dog.\n");
    const model = new Gpt({ vocabSize: tokenizer.vocabSize, context: 16, layers: 2, heads: 2, width: 16 }, new Rng(7));
    // larger weights than the 0.02 initialisation, so every layer shapes the logits
    noGrad(() => {
      const rng = new Rng(8);
      for (const p of model.parameters()) p.copy_(tensor(Array.from({ length: p.size }, () => rng.normal() * 0.3), { shape: p.shape }));
    });
    saveCheckpoint(dir, model, tokenizer);
    const text = "the lazy fox.";
    const ran = spawnSync(PYTHON, [SCRIPT, join(dir, "model.safetensors"), "--text", text], { env, encoding: "utf8", timeout: 120_000 });
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(0);
    const torchOut = JSON.parse(ran.stdout) as { shape: number[]; logits: number[] };
    model.eval();
    const ours = noGrad(() => model.forward(tensor(tokenizer.encode(text), { shape: [1, text.length], dtype: "int32" })));
    expect(torchOut.shape).toEqual(ours.shape);
    const values = Array.from(ours.dataSync());
    const worst = Math.max(...values.map((v, i) => Math.abs(v - torchOut.logits[i])));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.5);
  }, 120_000);
});
