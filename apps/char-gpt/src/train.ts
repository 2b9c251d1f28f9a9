// The training loop: random windows of the training tokens, cross-entropy of the next character,
// AdamW with weight decay on the weight matrices only, linear warm-up then cosine decay, gradient
// clipping; every --eval-every steps a validation estimate and a sample.

import { TokenWindowDataset } from "@tg/data";
import { crossEntropyLoss } from "@tg/loss";
import { AdamW, CosineAnnealingLR, LinearLR, SequentialLR } from "@tg/optim";
import { noGrad, Rng, type Tensor } from "@tg/tensor";
import type { Corpus } from "./data.js";
import type { EvalPoint, GradientFlow, StepRecord } from "./metrics.js";
import { Gpt, type GptConfig } from "./model.js";
import type { TrainOptions } from "./options.js";
import { generate } from "./sample.js";

/** The settings the loop needs (the CLI's train options without paths). */
export type TrainSettings = Omit<TrainOptions, "command" | "text" | "limit" | "out">;

/** One step as the progress display sees it. */
export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  tokensPerSecond: number;
  secondsLeft: number;
}

/** Callbacks of `train`; `shouldStop` is asked before every step (Ctrl-C sets it). */
export interface TrainHooks {
  onModel?(model: Gpt): void;
  onStep?(info: StepInfo): void;
  onEval?(point: EvalPoint, model: Gpt): void;
  shouldStop?(): boolean;
}

/** What a finished or stopped run produced. */
export interface TrainResult {
  model: Gpt;
  steps: StepRecord[];
  evals: EvalPoint[];
  flow: GradientFlow;
  seconds: number;
  interrupted: boolean;
}

/** The model's shape for a corpus and the CLI's settings. */
export function configFor(settings: TrainSettings, vocabSize: number): GptConfig {
  const { context, layers, heads, width } = settings;
  return { vocabSize, context, layers, heads, width };
}

/** The mean cross-entropy of next-character prediction on `tokens` [B, T] → `targets` [B, T]. */
export function lossOf(model: Gpt, tokens: Tensor, targets: Tensor): Tensor {
  const [b, t] = tokens.shape;
  return crossEntropyLoss(model.forward(tokens).reshape([b * t, model.config.vocabSize]), targets.reshape([b * t]));
}

/**
 * The mean loss over `batches` batches of windows drawn with a generator seeded by `seed` (the same
 * windows every call), without gradients, in eval mode.
 */
export function estimateLoss(model: Gpt, data: TokenWindowDataset, batches: number, batchSize: number, seed: number): number {
  const rng = new Rng(seed);
  const wasTraining = model.training;
  model.eval();
  let sum = 0;
  noGrad(() => {
    for (let i = 0; i < batches; i++) {
      const [x, y] = data.sample(batchSize, rng);
      sum += lossOf(model, x, y).item();
    }
  });
  model.train(wasTraining);
  return sum / batches;
}

/**
 * Trains a fresh model on the corpus. The seed fixes the initial weights, the batches and the
 * samples, so equal settings give equal numbers. Yields to the event loop between steps.
 */
export async function train(settings: TrainSettings, corpus: Corpus, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { steps, batchSize, lr, weightDecay, warmup, context, seed, evalEvery, evalBatches } = settings;
  const model = new Gpt(configFor(settings, corpus.tokenizer.vocabSize), new Rng(seed));
  hooks.onModel?.(model);
  // 1. AdamW: decay the matrices (embeddings, projections), not the biases and LayerNorms
  const named = model.namedParameters();
  const decay = named.filter(([, p]) => p.ndim >= 2).map(([, p]) => p);
  const noDecay = named.filter(([, p]) => p.ndim < 2).map(([, p]) => p);
  const optimizer = new AdamW([{ params: decay }, { params: noDecay, weightDecay: 0 }], { lr, weightDecay, betas: [0.9, 0.99], maxGradNorm: 1 });
  // 2. linear warm-up from lr/100, then a cosine down to lr/10
  const scheduler =
    warmup > 0 && warmup < steps
      ? new SequentialLR(optimizer, {
          schedulers: [new LinearLR(optimizer, { startFactor: 0.01, totalIters: warmup }), new CosineAnnealingLR(optimizer, { tMax: steps - warmup, etaMin: lr / 10 })],
          milestones: [warmup],
        })
      : new CosineAnnealingLR(optimizer, { tMax: steps, etaMin: lr / 10 });
  const trainData = new TokenWindowDataset(corpus.train, context);
  const valData = new TokenWindowDataset(corpus.val, context);
  const batchRng = new Rng(seed + 1);
  const blocks = model.blockList();
  const flow: GradientFlow = { groups: ["embeddings", ...blocks.map((_, i) => `block ${i}`), "final norm"], values: [] };
  const groupParams = [[model.wte.weight, model.wpe.weight], ...blocks.map((b) => b.parameters()), model.lnF.parameters()];
  flow.values = groupParams.map(() => []);
  const records: StepRecord[] = [];
  const evals: EvalPoint[] = [];
  const started = performance.now();
  const evaluate = (step: number, trainLoss: number) => {
    const valLoss = estimateLoss(model, valData, evalBatches, batchSize, seed + 2);
    const sample = generate(model, corpus.tokenizer, { prompt: "\n", tokens: 200, temperature: 0.8, topK: null, seed });
    const point: EvalPoint = { step, trainLoss, valLoss, sample, seconds: (performance.now() - started) / 1000 };
    evals.push(point);
    hooks.onEval?.(point, model);
  };
  model.train();
  let recent: number[] = [];
  for (let step = 1; step <= steps; step++) {
    await nextTick();
    if (hooks.shouldStop?.()) return { model, steps: records, evals, flow, seconds: (performance.now() - started) / 1000, interrupted: true };
    const [x, y] = trainData.sample(batchSize, batchRng);
    const loss = lossOf(model, x, y);
    optimizer.zeroGrad();
    loss.backward();
    groupParams.forEach((params, k) => flow.values[k].push(meanAbsGrad(params)));
    const rate = optimizer.lr;
    optimizer.step();
    scheduler.step();
    const value = loss.item();
    records.push({ step, loss: value, lr: rate });
    recent.push(value);
    const elapsed = (performance.now() - started) / 1000;
    hooks.onStep?.({ step, steps, loss: value, tokensPerSecond: (step * batchSize * context) / elapsed, secondsLeft: (elapsed / step) * (steps - step) });
    if (step % evalEvery === 0 || step === steps) {
      evaluate(step, recent.reduce((a, b) => a + b, 0) / recent.length);
      recent = [];
    }
  }
  return { model, steps: records, evals, flow, seconds: (performance.now() - started) / 1000, interrupted: false };
}

/** The mean |gradient| over all elements of `params` (0 for those without a gradient). */
export function meanAbsGrad(params: readonly Tensor[]): number {
  let sum = 0;
  let count = 0;
  for (const p of params) {
    count += p.size;
    if (p.grad === null) continue;
    const g = p.grad.dataSync();
    for (let i = 0; i < g.length; i++) sum += Math.abs(g[i]);
  }
  return count === 0 ? 0 : sum / count;
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
