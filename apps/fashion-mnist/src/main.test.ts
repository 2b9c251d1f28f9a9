// End to end, in-process: train on a tiny synthetic IDX data set, then evaluate and predict from
// the checkpoint it wrote, and check every file of the run folder by parsing it.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Linear, loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from "@tg/nn";
import { Rng } from "@tg/tensor";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRunName, main } from "./main.js";
import type { MetricsFile } from "./metrics.js";
import { RUN_FILES } from "./report.js";
import { controlCharacters, recordingIo, writeSyntheticData } from "./testing/cli.js";
import { byClass, parseXml } from "./testing/xml.js";

let dir = "";
let data = "";
let run = "";
let trainOutput = "";
let trainCode = -1;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fmnist-e2e-"));
  data = join(dir, "data");
  run = join(dir, "run");
  mkdirSync(data);
  writeSyntheticData(data, 256, 48);
  const io = recordingIo(dir);
  trainCode = await main(["train", "--data-dir", "data", "--out", "run", "--epochs", "2", "--batch-size", "32", "--seed", "5"], io);
  trainOutput = io.out() + io.err();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const metrics = (): MetricsFile => JSON.parse(readFileSync(join(run, RUN_FILES.metrics), "utf8"));

describe("fmnist train", () => {
  it("finishes, with one summary line per epoch and no control characters off a terminal", () => {
    expect(trainCode).toBe(0);
    expect(trainOutput.match(/^epoch \d\/2 \| train loss .* test acc .* s \(\d+ samples\/s\)$/gm)).toHaveLength(2);
    expect(trainOutput).toMatch(/^epoch 1\/2 step 8\/8 \| loss /m);
    expect(controlCharacters(trainOutput)).toEqual([]);
  });

  it("writes metrics.json with the settings and both epochs", () => {
    const m = metrics();
    expect(m.status).toBe("complete");
    expect(m.settings).toMatchObject({ model: "mlp", epochs: 2, batchSize: 32, seed: 5, optimizer: "adamw", trainImages: 256, testImages: 48 });
    expect(m.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(m.epochs[1].trainLoss).toBeLessThan(m.epochs[0].trainLoss);
    expect(m.final?.testAccuracy).toBe(m.epochs[1].testAccuracy);
    expect(m.final?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(48);
    expect(m.model.parameters).toBe(235146);
  });

  it("writes a safetensors checkpoint with the MLP's tensors and its architecture", () => {
    const bytes = readFileSync(join(run, RUN_FILES.checkpoint));
    expect(loadSafetensorsMetadata(bytes)).toMatchObject({ architecture: "mlp", epoch: "2", seed: "5" });
    const shapes = Object.fromEntries(Object.entries(loadSafetensors(bytes)).map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      "1.weight": [256, 784], "1.bias": [256],
      "4.weight": [128, 256], "4.bias": [128],
      "7.weight": [10, 128], "7.bias": [10],
    });
  });

  it("draws the four pictures as SVG and the pixel pictures as PNG", () => {
    const svg = (file: string) => parseXml(readFileSync(join(run, file), "utf8"));
    expect(byClass(svg(RUN_FILES.gradientFlow), "mark-line").flatMap((g) => g.children)).toHaveLength(3);
    expect(byClass(svg(RUN_FILES.trainingCurves), "mark-line").flatMap((g) => g.children)).toHaveLength(4);
    expect(byClass(svg(RUN_FILES.predictionsSvg), "mark-image").flatMap((g) => g.children)).toHaveLength(32);
    expect(byClass(svg(RUN_FILES.confusionSvg), "mark-rect").filter((g) => g.attributes.class.includes("role-mark")).flatMap((g) => g.children)).toHaveLength(100);
    const grid = PNG.sync.read(readFileSync(join(run, RUN_FILES.predictionsPng)));
    expect([grid.width, grid.height]).toEqual([8 * 62 + 9 * 4, 4 * 62 + 5 * 4]);
    const confusion = PNG.sync.read(readFileSync(join(run, RUN_FILES.confusionPng)));
    expect([confusion.width, confusion.height]).toEqual([240, 240]);
  });

  it("writes report.html embedding all four pictures and linking their files", () => {
    const html = readFileSync(join(run, RUN_FILES.report), "utf8");
    const embedded = [...html.matchAll(/<img src="data:image\/svg\+xml;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], "base64").toString("utf8"));
    const files = [RUN_FILES.gradientFlow, RUN_FILES.trainingCurves, RUN_FILES.predictionsSvg, RUN_FILES.confusionSvg];
    expect(embedded).toEqual(files.map((f) => readFileSync(join(run, f), "utf8")));
    for (const f of [...files, RUN_FILES.predictionsPng, RUN_FILES.confusionPng]) expect(html).toContain(`href="${f}"`);
    expect(html).toContain(`${(100 * metrics().epochs[1].testAccuracy).toFixed(2)}% test accuracy after 2 epochs`);
  });

  it("names the default run folder after the model and the time", () => {
    expect(defaultRunName({ model: "cnn" }, new Date(2025, 0, 2, 3, 4, 5))).toBe("cnn-20250102-030405");
  });
});

describe("fmnist evaluate and predict", () => {
  it("evaluates the checkpoint to the accuracy training reported", async () => {
    const io = recordingIo(dir);
    expect(await main(["evaluate", "--checkpoint", join(run, RUN_FILES.checkpoint), "--data-dir", data], io)).toBe(0);
    expect(io.out()).toContain(`test images 48 | test loss ${metrics().epochs[1].testLoss.toFixed(4)} | test accuracy ${(100 * metrics().epochs[1].testAccuracy).toFixed(2)}%`);
    expect(io.out().match(/ of \d+$/gm)).toHaveLength(10);
  });

  it("draws a test image and prints its class probabilities", async () => {
    const io = recordingIo(dir);
    expect(await main(["predict", "--checkpoint", "run/model.safetensors", "--data-dir", "data", "--index", "3"], io)).toBe(0);
    const out = io.out();
    expect(controlCharacters(out)).toEqual([]);
    const percents = [...out.matchAll(/ (\d+\.\d\d)% /g)].map((m) => Number(m[1]));
    expect(percents).toHaveLength(10);
    expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    expect(out.match(/<- predicted/g)).toHaveLength(1);
    expect(out).toMatch(/^prediction: .+ \((correct|wrong, it is .+)\)$/m);
    expect(out.split("\n").filter((l) => /^[ .:\-=+*#%@]+$/.test(l) && l.length > 10).length).toBeGreaterThan(3);
  });
});

describe("user errors", () => {
  const fails = async (argv: string[]) => {
    const io = recordingIo(dir);
    const code = await main(argv, io);
    return { code, err: io.err(), out: io.out() };
  };
  const checkpoint = () => join(run, RUN_FILES.checkpoint);

  it.each([
    [["predict", "--data-dir", "data", "--index", "48"], /^fmnist: --index 48 is out of range: the test set has 48 images \(0 to 47\)\n$/],
    [["evaluate", "--data-dir", "data", "--model", "cnn"], /^fmnist: checkpoint .* holds architecture mlp, not cnn\n$/],
  ])("%j exits 2 with one line", async (argv, pattern) => {
    const { code, err } = await fails([...argv, "--checkpoint", checkpoint()]);
    expect(code).toBe(2);
    expect(err).toMatch(pattern);
  });

  it("rejects a missing checkpoint, a file that is not one, and one of another model", async () => {
    const other = join(dir, "other.safetensors");
    writeFileSync(other, saveSafetensors(new Linear(4, 2, { rng: new Rng(0) })));
    const wrongTensors = join(dir, "wrong.safetensors");
    writeFileSync(wrongTensors, saveSafetensors(new Linear(4, 2, { rng: new Rng(0) }), { architecture: "mlp" }));
    const garbage = join(dir, "garbage.safetensors");
    writeFileSync(garbage, "not a checkpoint");
    const cases: [string, RegExp][] = [
      [join(dir, "missing.safetensors"), /does not exist$/],
      [garbage, /is not a readable safetensors file \(loadSafetensors: .*\)$/],
      [other, /holds neither an mlp nor a cnn model \(tensors: weight, bias\)$/],
      [wrongTensors, /does not fit the mlp model: loadStateDict: .*missing keys/],
    ];
    for (const [path, pattern] of cases) {
      const { code, err } = await fails(["evaluate", "--checkpoint", path, "--data-dir", data]);
      expect(code).toBe(2);
      expect(err.split("\n")).toHaveLength(2); // one line and its newline
      expect(err.trim()).toMatch(pattern);
    }
  });

  it("rejects a data folder that is missing or lacks the files", async () => {
    const missing = await fails(["train", "--data-dir", join(dir, "nowhere")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^fmnist: --data-dir .*nowhere is not a folder\n$/);
    const empty = await fails(["train", "--data-dir", dir]);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/^fmnist: --data-dir .* has no train-images-idx3-ubyte or train-images-idx3-ubyte.gz\n$/);
  });
});
