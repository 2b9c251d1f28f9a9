// The training loop: shuffled mini-batches, cross-entropy on logits, AdamW (or SGD), validation
// on the test split after every epoch, and the mean |gradient| of each layer's weight per step.

import { DataLoader, TensorDataset } from "@tg/data";
import { crossEntropyLoss } from "@tg/loss";
import type { Sequential } from "@tg/nn";
import { AdamW, SGD, type Optimizer } from "@tg/optim";
import { Rng, type Tensor } from "@tg/tensor";
import type { Split } from "./data.js";
import { evaluate } from "./evaluate.js";
import type { EpochMetrics, GradientFlow, TestOutcome } from "./metrics.js";
import { buildModel, watchedLayers } from "./models.js";
import type { TrainOptions } from "./options.js";

/** The settings the loop needs (the CLI's train options without paths). */
export type TrainSettings = Pick<TrainOptions, "model" | "epochs" | "batchSize" | "lr" | "weightDecay" | "optimizer" | "seed">;

/** One optimizer step as the progress display sees it. */
export interface StepInfo {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
  samplesPerSecond: number;
  /** Seconds the rest of the epoch's steps will take at the pace so far. */
  secondsLeft: number;
}

/** Callbacks of `train`; `shouldStop` is asked before every step (Ctrl-C sets it). */
export interface TrainHooks {
  onModel?(model: Sequential): void;
  onEpochStart?(epoch: number, steps: number): void;
  onStep?(info: StepInfo): void;
  onEpochEnd?(metrics: EpochMetrics, outcome: TestOutcome, model: Sequential): void;
  shouldStop?(): boolean;
}

/** What a finished or stopped run produced. */
export interface TrainResult {
  model: Sequential;
  epochs: EpochMetrics[];
  flow: GradientFlow;
  /** The test outcome of the last finished epoch, null when none finished. */
  outcome: TestOutcome | null;
  interrupted: boolean;
}

/**
 * Trains a fresh model on `train`, validating on `test` after every epoch. The seed fixes the
 * initial weights, the batch order and the dropout masks, so equal settings give equal numbers.
 * Yields to the event loop between steps, so timers (the progress bar) and signals get through.
 */
export async function train(settings: TrainSettings, trainSplit: Split, testSplit: Split, hooks: TrainHooks = {}): Promise<TrainResult> {
  const model = buildModel(settings.model, new Rng(settings.seed));
  hooks.onModel?.(model);
  const optimizer = makeOptimizer(settings, model.parameters());
  const loader = new DataLoader(new TensorDataset(trainSplit.images, trainSplit.labels), {
    batchSize: settings.batchSize,
    shuffle: true,
    seed: settings.seed,
  });
  const layers = watchedLayers(model);
  const flow: GradientFlow = { layers: layers.map((l) => l.label), values: layers.map(() => []) };
  const epochs: EpochMetrics[] = [];
  const steps = Math.ceil(trainSplit.images.shape[0] / settings.batchSize);
  let outcome: TestOutcome | null = null;
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    hooks.onEpochStart?.(epoch, steps);
    model.train();
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let step = 0;
    for (const [x, y] of loader) {
      await nextTick();
      if (hooks.shouldStop?.()) return { model, epochs, flow, outcome, interrupted: true };
      const logits = model.forward(x);
      const loss = crossEntropyLoss(logits, y);
      optimizer.zeroGrad();
      loss.backward();
      layers.forEach((layer, k) => flow.values[k].push(meanAbsGrad(layer.weight)));
      optimizer.step();
      const n = x.shape[0];
      lossSum += loss.item() * n;
      correct += logits.argmax(1).eq(y).sum().item();
      seen += n;
      step++;
      const elapsed = (performance.now() - started) / 1000;
      const samplesPerSecond = seen / Math.max(elapsed, 1e-9);
      hooks.onStep?.({ epoch, step, steps, loss: lossSum / seen, samplesPerSecond, secondsLeft: (elapsed / step) * (steps - step) });
    }
    const seconds = (performance.now() - started) / 1000;
    outcome = evaluate(model, testSplit);
    const metrics: EpochMetrics = {
      epoch,
      trainLoss: lossSum / seen,
      trainAccuracy: correct / seen,
      testLoss: outcome.loss,
      testAccuracy: outcome.accuracy,
      seconds,
      samplesPerSecond: seen / seconds,
      residentMiB: Math.round(process.memoryUsage.rss() / 2 ** 20),
    };
    epochs.push(metrics);
    hooks.onEpochEnd?.(metrics, outcome, model);
  }
  return { model, epochs, flow, outcome, interrupted: false };
}

/** AdamW, or SGD with momentum 0.9, over `params`. */
export function makeOptimizer(settings: Pick<TrainSettings, "optimizer" | "lr" | "weightDecay">, params: Tensor[]): Optimizer {
  const { lr, weightDecay } = settings;
  return settings.optimizer === "adamw" ? new AdamW(params, { lr, weightDecay }) : new SGD(params, { lr, momentum: 0.9, weightDecay });
}

/** The mean absolute value of a parameter's gradient (0 when it has none yet). */
export function meanAbsGrad(weight: Tensor): number {
  const grad = weight.grad;
  if (grad === null || grad.size === 0) return 0;
  // read a contiguous gradient where it lies (dataSync would copy it, every step)
  const { data, offset } = grad.storage;
  const g = grad.isContiguous() ? data.subarray(offset, offset + grad.size) : grad.dataSync();
  // four running sums, so the additions do not wait on each other (3x faster here, every step)
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = g.length;
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i += 4) {
    s0 += Math.abs(g[i]);
    s1 += Math.abs(g[i + 1]);
    s2 += Math.abs(g[i + 2]);
    s3 += Math.abs(g[i + 3]);
  }
  for (let i = n4; i < n; i++) s0 += Math.abs(g[i]);
  return (s0 + s1 + s2 + s3) / n;
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
