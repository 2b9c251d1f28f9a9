// `gpt train`: reads the text, trains with progress on the terminal, and fills the run folder
// (metrics.json, model.safetensors and vocabulary.json at every evaluation; pictures, samples.txt
// and report.html at the end). The first Ctrl-C stops after the current step and still reports.

import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { attentionMaps } from "./attention-maps.js";
import { saveCheckpoint } from "./checkpoint.js";
import { makeCorpus, readText } from "./data.js";
import { EXIT_INTERRUPTED, EXIT_OK } from "./errors.js";
import type { Io } from "./io.js";
import { describeMachine, writeFileAtomic, writeMetrics, type MetricsFile } from "./metrics.js";
import type { TrainOptions } from "./options.js";
import { TrainingProgress } from "./progress.js";
import { reportHtml, RUN_FILES, samplesText, writePictures } from "./report.js";
import { train } from "./train.js";

/** Characters of validation text the attention maps are drawn on. */
export const ATTENTION_CHARS = 40;

/** Runs `train` into the folder `out`; returns the exit code. */
export async function runTrain(opts: TrainOptions, out: string, io: Io): Promise<number> {
  const { source, text } = readText(opts.text, opts.limit);
  const corpus = makeCorpus(source, text, opts.context);
  mkdirSync(out, { recursive: true });
  const metricsPath = join(out, RUN_FILES.metrics);
  const { command: _command, out: _out, ...settings } = opts;
  const metrics: MetricsFile = {
    status: "running",
    settings,
    data: { source, characters: corpus.train.length + corpus.val.length, vocabSize: corpus.tokenizer.vocabSize, trainTokens: corpus.train.length, valTokens: corpus.val.length },
    model: { vocabSize: corpus.tokenizer.vocabSize, context: opts.context, layers: opts.layers, heads: opts.heads, width: opts.width, parameters: 0 },
    machine: describeMachine(),
    steps: [],
    evals: [],
    final: null,
  };
  const progress = new TrainingProgress(io.stderr, io.print, opts.steps);
  let stopRequested = false;
  const onSigint = (): void => {
    progress.stop();
    if (stopRequested) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C quits at once; metrics.json is already whole
    stopRequested = true;
    io.print("interrupted: writing the report of the finished steps; Ctrl-C again to quit now");
  };
  io.onInterrupt(onSigint);
  io.print(`training on ${source}: ${metrics.data.characters} characters, ${metrics.data.vocabSize} distinct, ${opts.steps} steps into ${out}`);
  try {
    const result = await train(opts, corpus, {
      onModel: (model) => {
        metrics.model.parameters = model.parameters().reduce((n, p) => n + p.size, 0);
        writeMetrics(metricsPath, metrics);
      },
      onStep: (info) => progress.update(info),
      onEval: (point, model) => {
        metrics.evals.push(point);
        metrics.final = { step: point.step, trainLoss: point.trainLoss, valLoss: point.valLoss, seconds: point.seconds, tokensPerSecond: (point.step * opts.batchSize * opts.context) / point.seconds };
        saveCheckpoint(out, model, corpus.tokenizer, { step: String(point.step), seed: String(opts.seed) });
        writeMetrics(metricsPath, metrics);
        progress.evaluation(point);
      },
      shouldStop: () => stopRequested,
    });
    progress.stop();
    metrics.steps = result.steps;
    metrics.status = result.interrupted ? "interrupted" : "complete";
    writeMetrics(metricsPath, metrics);
    if (metrics.evals.length > 0) {
      const chars = corpus.val.subarray(0, Math.min(ATTENTION_CHARS, opts.context, corpus.val.length));
      const layer = opts.layers - 1;
      const maps = attentionMaps(result.model, chars, layer);
      const pictures = await writePictures(out, metrics, result.flow, { maps, chars: [...corpus.tokenizer.decode(chars)], layer });
      writeFileSync(join(out, RUN_FILES.samples), samplesText(metrics));
      writeFileAtomic(join(out, RUN_FILES.report), reportHtml(basename(out), metrics, pictures));
      io.print(`report: ${join(out, RUN_FILES.report)}`);
    } else {
      io.print(`no evaluation finished; ${metricsPath} records the settings only`);
    }
    return result.interrupted ? EXIT_INTERRUPTED : EXIT_OK;
  } finally {
    progress.stop();
    io.offInterrupt(onSigint);
  }
}
