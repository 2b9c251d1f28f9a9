// End to end, in-process: train a tiny model on a tiny text, then sample and evaluate from the
// checkpoint it wrote, and check the run folder's files by parsing them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSafetensors, loadSafetensorsMetadata } from "@tg/nn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";
import type { MetricsFile } from "./metrics.js";
import { RUN_FILES } from "./report.js";
import { recordingIo, tinyText } from "./testing/io.js";

let dir = "";
let trainCode = -1;
let trainOutput = "";
const TINY = ["--layers", "1", "--heads", "2", "--width", "16", "--context", "16", "--batch-size", "8", "--lr", "0.01", "--warmup", "5"];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "char-gpt-e2e-"));
  writeFileSync(join(dir, "text.txt"), tinyText());
  const io = recordingIo(dir);
  trainCode = await main(["train", "--text", "text.txt", "--out", "run", "--steps", "60", "--eval-every", "30", "--eval-batches", "2", ...TINY], io);
  trainOutput = io.out() + io.err();
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const metrics = (): MetricsFile => JSON.parse(readFileSync(join(dir, "run", RUN_FILES.metrics), "utf8"));

describe("gpt train", () => {
  it("finishes with an evaluation line per checkpoint", () => {
    expect(trainCode).toBe(0);
    expect(trainOutput.match(/^step +\d+\/60 \| train loss .* val loss /gm)).toHaveLength(2);
    expect(trainOutput).toContain("report: ");
  });

  it("lowers the validation loss well below chance and records every step", () => {
    const m = metrics();
    expect(m.status).toBe("complete");
    expect(m.steps).toHaveLength(60);
    expect(m.evals.map((e) => e.step)).toEqual([30, 60]);
    const chance = Math.log(m.data.vocabSize);
    expect(m.evals[1].valLoss).toBeLessThan(0.7 * chance);
    expect(m.evals[1].valLoss).toBeLessThan(m.evals[0].valLoss);
    expect(m.model.parameters).toBeGreaterThan(0);
    expect(m.steps[0].lr).toBeCloseTo(0.0001, 10); // warm-up starts at lr/100
  });

  it("writes a checkpoint with the tied head saved once, the vocabulary, pictures and the report", () => {
    const bytes = readFileSync(join(dir, "run", "model.safetensors"));
    const names = Object.keys(loadSafetensors(bytes));
    expect(names).toContain("wte.weight");
    expect(names).toContain("blocks.0.attn.in_proj_weight");
    expect(names).not.toContain("head.weight");
    expect(JSON.parse(loadSafetensorsMetadata(bytes).config)).toEqual({ vocabSize: metrics().data.vocabSize, context: 16, layers: 1, heads: 2, width: 16 });
    expect(JSON.parse(readFileSync(join(dir, "run", "vocabulary.json"), "utf8")).vocabulary).toContain("c");
    for (const file of [RUN_FILES.loss, RUN_FILES.gradientFlow, RUN_FILES.attention, RUN_FILES.samplesSvg]) {
      expect(readFileSync(join(dir, "run", file), "utf8")).toMatch(/^<svg/);
    }
    const html = readFileSync(join(dir, "run", RUN_FILES.report), "utf8");
    expect(html.match(/<img src="data:image\/svg\+xml;base64,/g)).toHaveLength(4);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
});

describe("gpt sample and evaluate", () => {
  it("continues a prompt, the same text for the same seed", async () => {
    const run = async (seed: string) => {
      const io = recordingIo(dir);
      const code = await main(["sample", "--checkpoint", "run", "--prompt", "the ", "--tokens", "40", "--top-k", "5", "--seed", seed], io);
      return { code, out: io.out() };
    };
    const a = await run("1");
    expect(a.code).toBe(0);
    expect(a.out.startsWith("the ")).toBe(true);
    expect([...a.out.trimEnd()].length).toBeGreaterThanOrEqual(40);
    expect((await run("1")).out).toBe(a.out);
  }, 60_000);

  it("measures the validation loss of a checkpoint", async () => {
    const io = recordingIo(dir);
    expect(await main(["evaluate", "--checkpoint", "run/model.safetensors", "--text", "text.txt", "--eval-batches", "2"], io)).toBe(0);
    expect(io.out()).toMatch(/^validation loss \d+\.\d{4} /);
  }, 60_000);

  it("reports bad input in one line with exit code 2", async () => {
    for (const argv of [
      ["train", "--steps", "-3"],
      ["train", "--width", "10", "--heads", "4"],
      ["sample", "--checkpoint", "missing.safetensors"],
      ["sample", "--checkpoint", "run", "--prompt", "XYZ"],
      ["evaluate", "--checkpoint", "text.txt"],
      ["train", "--text", "nope.txt"],
      ["frobnicate"],
    ]) {
      const io = recordingIo(dir);
      expect(await main(argv, io), argv.join(" ")).toBe(2);
      expect(io.err().trimEnd().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(io.err()).toMatch(/^gpt: /);
    }
  });
});
