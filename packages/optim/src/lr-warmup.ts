// Schedulers for warm-up recipes: LambdaLR, LinearLR and SequentialLR (warm-up, then another
// schedule), with PyTorch's formulas and milestones. The base class is in lr-scheduler.ts.

import { LRScheduler, type HasLr, type SchedulerStateDict } from "./lr-scheduler.js";
import { checkKeys, checkRange, numberOption, positiveInteger } from "./options.js";

/** Settings of `LambdaLR`. */
export interface LambdaLROptions {
  /** The factor of the base learning rate at each epoch: lr(epoch) = baseLr · lrLambda(epoch). */
  lrLambda: (epoch: number) => number;
}

/**
 * Sets the learning rate to the base rate times `lrLambda(epoch)` (PyTorch's `LambdaLR`);
 * construction applies `lrLambda(0)`.
 * @example
 * const warmup = new LambdaLR(optimizer, { lrLambda: (epoch) => Math.min(1, (epoch + 1) / 100) });
 */
export class LambdaLR extends LRScheduler {
  /** The factor of the base rate at each epoch. */
  readonly lrLambda: (epoch: number) => number;

  /**
   * Makes the scheduler and sets the epoch-0 rate, the base rate times `lrLambda(0)`.
   * @param optimizer The optimizer whose learning rate (of every group) is set.
   * @param options `lrLambda`, the factor of the base rate at each epoch (PyTorch's `lr_lambda`).
   */
  constructor(optimizer: HasLr, options: LambdaLROptions) {
    super("LambdaLR", optimizer);
    checkKeys("LambdaLR", options, ["lrLambda"]);
    if (typeof options.lrLambda !== "function") {
      throw new RangeError(`LambdaLR: lrLambda must be a function of the epoch, got ${typeof options.lrLambda}`);
    }
    this.lrLambda = options.lrLambda;
    this.restart();
  }

  protected override initialLr(baseLr: number): number {
    return baseLr * this.factor(0);
  }

  protected nextLr(_current: number, baseLr: number): number {
    return baseLr * this.factor(this.lastEpoch);
  }

  private factor(epoch: number): number {
    return checkRange("LambdaLR", `lrLambda(${epoch})`, this.lrLambda(epoch), { min: 0 });
  }
}

/** Settings of `LinearLR`, with PyTorch's defaults. */
export interface LinearLROptions {
  /** The factor of the base rate at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** The factor reached at `totalIters` and kept after, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs to go from `startFactor` to `endFactor` (default 5). */
  totalIters?: number;
}

/**
 * Scales the learning rate by a factor that moves linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs, then stays (PyTorch's `LinearLR`, the usual linear warm-up):
 * lr(epoch) = baseLr · (startFactor + (endFactor − startFactor) · min(epoch, totalIters) / totalIters).
 * Construction applies the epoch-0 rate, baseLr · startFactor.
 * @example
 * const warmup = new LinearLR(optimizer, { startFactor: 0.01, totalIters: 100 });
 */
export class LinearLR extends LRScheduler {
  /** The factor of the base rate at epoch 0. */
  readonly startFactor: number;
  /** The factor reached at `totalIters` and kept after. */
  readonly endFactor: number;
  /** Epochs to go from `startFactor` to `endFactor`. */
  readonly totalIters: number;

  /**
   * Makes the scheduler and sets the epoch-0 rate, the base rate times `startFactor`.
   * @param optimizer The optimizer whose learning rate (of every group) is set.
   * @param options `startFactor` (default 1/3), `endFactor` (default 1) and `totalIters`
   * (default 5), PyTorch's `start_factor`, `end_factor` and `total_iters`.
   */
  constructor(optimizer: HasLr, options: LinearLROptions = {}) {
    super("LinearLR", optimizer);
    checkKeys("LinearLR", options, ["startFactor", "endFactor", "totalIters"]);
    this.startFactor = numberOption("LinearLR", "startFactor", options.startFactor, 1 / 3, {
      min: 0,
      max: 1,
      minOpen: true,
    });
    this.endFactor = numberOption("LinearLR", "endFactor", options.endFactor, 1, { min: 0, max: 1 });
    this.totalIters = options.totalIters === undefined ? 5 : positiveInteger("LinearLR", "totalIters", options.totalIters);
    this.restart();
  }

  protected override initialLr(baseLr: number): number {
    return baseLr * this.startFactor;
  }

  protected nextLr(current: number): number {
    const { lastEpoch: e, startFactor: start, endFactor: end, totalIters: total } = this;
    if (e > total) return current;
    // PyTorch's recursive form: the ratio of this epoch's factor to the previous one's
    return current * (1 + (end - start) / (total * start + (e - 1) * (end - start)));
  }
}

/** Settings of `SequentialLR`. */
export interface SequentialLROptions {
  /** The schedulers, in the order they take over; all on the same optimizer. */
  schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over (one fewer than the schedulers, increasing). */
  milestones: number[];
}

/** A SequentialLR's position: its epoch and each scheduler's state. */
export interface SequentialLRStateDict {
  /** Epochs stepped so far. */
  lastEpoch: number;
  /** Each scheduler's state, in order. */
  schedulers: SchedulerStateDict[];
}

/**
 * Runs schedulers one after another, handing over at the milestones (PyTorch's `SequentialLR`):
 * at construction the first scheduler starts from the optimizer's base rates; at milestone k the
 * next scheduler restarts at its epoch 0 from the same base rates (a cosine starts at the full
 * rate) and is stepped from there.
 * @example
 * const warmup = new LinearLR(optimizer, { startFactor: 0.01, totalIters: 100 });
 * const cosine = new CosineAnnealingLR(optimizer, { tMax: 900 });
 * const scheduler = new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [100] });
 */
export class SequentialLR {
  /** The schedulers, in the order they take over. */
  readonly schedulers: readonly LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  readonly milestones: readonly number[];
  private _lastEpoch = 0;
  private lastLrs: number[];

  /**
   * Chains the schedulers: every one restarts from the first one's base rates, and the optimizer is
   * left at the first one's epoch-0 rate.
   * @param optimizer The optimizer all the schedulers were made on.
   * @param options `schedulers` and `milestones`, as PyTorch's; throws a RangeError if a scheduler
   * belongs to another optimizer or the milestones do not number one fewer than the schedulers,
   * each a positive integer, increasing.
   */
  constructor(
    /** The optimizer whose learning rate is set. */
    readonly optimizer: HasLr,
    options: SequentialLROptions,
  ) {
    checkKeys("SequentialLR", options, ["schedulers", "milestones"]);
    const { schedulers, milestones } = options;
    if (!Array.isArray(schedulers) || schedulers.length === 0 || !schedulers.every((s) => s instanceof LRScheduler)) {
      throw new RangeError("SequentialLR: schedulers must be a non-empty array of schedulers");
    }
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) {
        throw new RangeError(`SequentialLR: scheduler ${i} belongs to another optimizer`);
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        `SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${JSON.stringify(milestones)}`,
      );
    }
    milestones.forEach((m, i) => {
      positiveInteger("SequentialLR", `milestones[${i}]`, m);
      if (i > 0 && m <= milestones[i - 1]) {
        throw new RangeError(`SequentialLR: milestones must increase, got ${JSON.stringify(milestones)}`);
      }
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    // every scheduler shares the first one's base rates; the first one starts now
    const base = schedulers[0].baseLrs;
    for (let i = schedulers.length - 1; i >= 0; i--) schedulers[i].restart(base);
    this.lastLrs = schedulers[0].getLastLrs();
  }

  /** The number of `step()` calls so far. */
  get lastEpoch(): number {
    return this._lastEpoch;
  }

  /** Advances one epoch: restarts the next scheduler at a milestone, else steps the current one. */
  step(): void {
    this._lastEpoch += 1;
    const index = this.milestones.filter((m) => m <= this._lastEpoch).length;
    const scheduler = this.schedulers[index];
    if (index > 0 && this.milestones[index - 1] === this._lastEpoch) scheduler.restart();
    else scheduler.step();
    this.lastLrs = scheduler.getLastLrs();
  }

  /** The learning rate set last, of the first group (PyTorch's `get_last_lr()[0]`). */
  getLastLr(): number {
    return this.lastLrs[0];
  }

  /** The learning rates set last, one per group. */
  getLastLrs(): number[] {
    return [...this.lastLrs];
  }

  /** The epoch and every scheduler's state. */
  stateDict(): SequentialLRStateDict {
    return { lastEpoch: this._lastEpoch, schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** Restores a state saved by `stateDict()`. */
  loadStateDict(sd: SequentialLRStateDict): void {
    if (typeof sd !== "object" || sd === null || !Array.isArray(sd.schedulers) || sd.schedulers.length !== this.schedulers.length) {
      throw new Error(`SequentialLR.loadStateDict: expected { lastEpoch, schedulers } with ${this.schedulers.length} schedulers`);
    }
    if (!Number.isInteger(sd.lastEpoch) || sd.lastEpoch < 0) {
      throw new RangeError(`SequentialLR.loadStateDict: lastEpoch must be a non-negative integer, got ${String(sd.lastEpoch)}`);
    }
    this.schedulers.forEach((s, i) => s.loadStateDict(sd.schedulers[i]));
    this._lastEpoch = sd.lastEpoch;
    const index = this.milestones.filter((m) => m <= this._lastEpoch).length;
    this.lastLrs = this.schedulers[index].getLastLrs();
  }
}
