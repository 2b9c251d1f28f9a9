// The training loop of the page, free of the DOM so that the worker and the Node benchmark run the
// same code: the CLI's settings and defaults, shuffled mini-batches, cross-entropy on logits,
// AdamW (or SGD with momentum 0.9), the mean |gradient| of each layer's weight per step, and an
// evaluation on the test split after every epoch. A generator, so its driver decides when to
// yield to events (pause, stop, predictions) between steps.

import { DataLoader, TensorDataset } from "@tg/data";
import { crossEntropyLoss } from "@tg/loss";
import type { Module, Sequential } from "@tg/nn";
import { AdamW, CosineAnnealingLR, SGD, type LRScheduler, type Optimizer } from "@tg/optim";
import { noGrad, Rng, tensor, type Tensor } from "@tg/tensor";
import type { Split } from "./data.js";
import { buildModel, NUM_CLASSES, watchedLayers, type Architecture } from "./models.js";

/** The optimizers the page offers. */
export type OptimizerName = "adamw" | "sgd";
/** The learning rate along a cosine from `lr` to 0 over the whole run (stepped every batch), or fixed. */
export type LrSchedule = "cosine" | "constant";

/** What the user sets before training; the defaults are the CLI's. */
export interface Settings {
  model: Architecture;
  optimizer: OptimizerName;
  lr: number;
  schedule: LrSchedule;
  weightDecay: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

/** The learning rate per optimizer when none is given (as `fmnist train`). */
export const DEFAULT_LR: Record<OptimizerName, number> = { adamw: 1e-3, sgd: 0.01 };
/** The weight decay per optimizer when none is given (as `fmnist train`). */
export const DEFAULT_WEIGHT_DECAY: Record<OptimizerName, number> = { adamw: 1e-2, sgd: 5e-4 };
/** `fmnist train`'s defaults, except one epoch instead of ten: a page is watched, not left alone. */
export const DEFAULT_SETTINGS: Settings = { model: "mlp", optimizer: "adamw", lr: 1e-3, schedule: "cosine", weightDecay: 1e-2, batchSize: 64, epochs: 1, seed: 0 };

/** One optimizer step. */
export interface StepRecord {
  kind: "step";
  epoch: number;
  /** Steps so far in this epoch, and in the whole run. */
  step: number;
  globalStep: number;
  stepsPerEpoch: number;
  loss: number;
  /** The fraction of the batch predicted right. */
  accuracy: number;
  /** Mean |gradient| of each watched layer's weight. */
  gradients: number[];
  batchSize: number;
}

/** A model scored on a labelled split. */
export interface Outcome {
  loss: number;
  accuracy: number;
  predictions: Int32Array;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/** The end of an epoch: the training numbers and the test outcome. */
export interface EpochRecord {
  kind: "epoch";
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** Seconds the epoch's steps took (the test evaluation excluded), and their pace. */
  seconds: number;
  samplesPerSecond: number;
  test: Outcome;
}

/** A fresh model and optimizer for `settings`, and the generator of its training. */
export class Trainer {
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  readonly layers: string[];
  readonly stepsPerEpoch: number;
  private readonly scheduler: LRScheduler | null;
  private readonly loader: DataLoader<Tensor[]>;

  constructor(
    readonly settings: Settings,
    private readonly train: Split,
    private readonly test: Split,
  ) {
    checkSettings(settings);
    this.model = buildModel(settings.model, new Rng(settings.seed));
    const params = this.model.parameters();
    const { lr, weightDecay } = settings;
    this.optimizer = settings.optimizer === "adamw" ? new AdamW(params, { lr, weightDecay }) : new SGD(params, { lr, momentum: 0.9, weightDecay });
    this.loader = new DataLoader(new TensorDataset(train.images, train.labels), { batchSize: settings.batchSize, shuffle: true, seed: settings.seed });
    this.layers = watchedLayers(this.model).map((l) => l.label);
    this.stepsPerEpoch = this.loader.length;
    // as `fmnist train`: the cosine reaches 0 after the run's last batch
    this.scheduler = settings.schedule === "cosine" ? new CosineAnnealingLR(this.optimizer, { tMax: this.stepsPerEpoch * settings.epochs }) : null;
  }

  /** Trains for the set number of epochs, yielding after every step and every epoch. */
  *run(clock: () => number = () => performance.now()): Generator<StepRecord | EpochRecord, void> {
    const watched = watchedLayers(this.model);
    let globalStep = 0;
    for (let epoch = 1; epoch <= this.settings.epochs; epoch++) {
      this.model.train();
      let seconds = 0;
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let step = 0;
      for (const [x, y] of this.loader) {
        const started = clock();
        const logits = this.model.forward(x);
        const loss = crossEntropyLoss(logits, y);
        this.optimizer.zeroGrad();
        loss.backward();
        const gradients = watched.map((l) => meanAbsGrad(l.weight));
        this.optimizer.step();
        this.scheduler?.step();
        const n = x.shape[0];
        const lossValue = loss.item();
        const right = logits.argmax(1).eq(y).sum().item();
        seconds += (clock() - started) / 1000;
        lossSum += lossValue * n;
        correct += right;
        seen += n;
        step++;
        globalStep++;
        yield { kind: "step", epoch, step, globalStep, stepsPerEpoch: this.stepsPerEpoch, loss: lossValue, accuracy: right / n, gradients, batchSize: n };
      }
      const test = evaluate(this.model, this.test);
      yield { kind: "epoch", epoch, trainLoss: lossSum / seen, trainAccuracy: correct / seen, seconds, samplesPerSecond: seen / seconds, test };
    }
  }
}

/** Throws a RangeError naming the first setting out of range. */
export function checkSettings(s: Settings): void {
  const integer = (name: string, v: number, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  };
  if (s.model !== "mlp" && s.model !== "cnn") throw new RangeError(`model must be mlp or cnn, got ${String(s.model)}`);
  if (s.optimizer !== "adamw" && s.optimizer !== "sgd") throw new RangeError(`optimizer must be adamw or sgd, got ${String(s.optimizer)}`);
  if (s.schedule !== "cosine" && s.schedule !== "constant") throw new RangeError(`schedule must be cosine or constant, got ${String(s.schedule)}`);
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw new RangeError(`learning rate must be a number > 0, got ${s.lr}`);
  if (!(s.weightDecay >= 0) || !Number.isFinite(s.weightDecay)) throw new RangeError(`weight decay must be a number >= 0, got ${s.weightDecay}`);
  integer("batch size", s.batchSize, 1);
  integer("epochs", s.epochs, 1);
  integer("seed", s.seed, 0);
}

/** Runs `model` in eval mode over `split` in batches of 500, without gradients. */
export function evaluate(model: Module, split: Pick<Split, "images" | "labels" | "targets">, batchSize = 500): Outcome {
  const n = split.images.shape[0];
  const predictions = new Int32Array(n);
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  let lossSum = 0;
  let correct = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const logits = model.forward(split.images.slice(0, start, end));
        lossSum += crossEntropyLoss(logits, split.labels.slice(0, start, end), { reduction: "sum" }).item();
        const predicted = logits.argmax(1).dataSync();
        for (let i = 0; i < predicted.length; i++) {
          const truth = split.targets[start + i];
          predictions[start + i] = predicted[i];
          confusion[truth][predicted[i]]++;
          if (predicted[i] === truth) correct++;
        }
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: n === 0 ? 0 : lossSum / n, accuracy: n === 0 ? 0 : correct / n, predictions, confusion };
}

/** The logits `model` gives each 28×28 image of `pixels` (784 floats in [0,1] per image), in eval mode. */
export function logitsOf(model: Module, pixels: Float32Array): Float32Array[] {
  const count = pixels.length / 784;
  const wasTraining = model.training;
  model.eval();
  try {
    const flat = noGrad(() => model.forward(tensor(pixels, { shape: [count, 1, 28, 28] })).dataSync());
    return Array.from({ length: count }, (_, i) => Float32Array.from(flat.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES)));
  } finally {
    model.train(wasTraining);
  }
}

/** Softmax of one row of logits, in float64. */
export function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** The mean absolute value of a weight's gradient (0 before the first backward pass). */
export function meanAbsGrad(weight: Tensor): number {
  const grad = weight.grad;
  if (grad === null || grad.size === 0) return 0;
  const { data, offset } = grad.storage;
  const g = grad.isContiguous() ? data.subarray(offset, offset + grad.size) : grad.dataSync();
  let sum = 0;
  for (let i = 0; i < g.length; i++) sum += Math.abs(g[i]);
  return sum / g.length;
}
