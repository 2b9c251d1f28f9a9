// Learning-rate schedulers: the base class, StepLR and CosineAnnealingLR, stepped once per epoch.
// Each sets the learning rates with PyTorch's recursive (chainable) formula, so the values match
// PyTorch's. LambdaLR, LinearLR and SequentialLR are in lr-warmup.ts.

import { checkKeys, checkRange, NON_NEGATIVE, numberOption, positiveInteger } from "./options.js";

/**
 * Anything with a writable learning rate: every optimizer of this package. An optimizer with
 * parameter groups also offers `groupCount`, `groupLr` and `setGroupLr`, and the schedulers then
 * schedule each group's rate from its own base, as PyTorch does.
 */
export interface HasLr {
  /** The learning rate the scheduler sets. */
  lr: number;
  /** The number of parameter groups. */
  readonly groupCount?: number;
  /** The learning rate of group `index`. */
  groupLr?(index: number): number;
  /** Sets the learning rate of group `index` to `value`. */
  setGroupLr?(index: number, value: number): void;
}

/** A scheduler's position, for saving and resuming training. */
export interface SchedulerStateDict {
  /** Epochs stepped so far. */
  lastEpoch: number;
  /** The learning rate the schedule started from. */
  baseLr: number;
  /** The learning rate the last step set. */
  lastLr: number;
  /** Every group's base and last rate (absent in dicts saved before groups existed). */
  baseLrs?: number[];
  /** Every group's rate set by the last step, in group order (absent in older dicts too). */
  lastLrs?: number[];
}

/** The learning rate of each group of `optimizer` (one entry for a plain `HasLr`). */
export function readLrs(optimizer: HasLr): number[] {
  const { groupCount, groupLr } = optimizer;
  if (groupCount === undefined || groupLr === undefined) return [optimizer.lr];
  return Array.from({ length: groupCount }, (_, i) => groupLr.call(optimizer, i));
}

/** Sets the learning rate of each group of `optimizer` (`lr` for a plain `HasLr`). */
export function writeLrs(optimizer: HasLr, lrs: readonly number[]): void {
  const { setGroupLr } = optimizer;
  if (setGroupLr === undefined || lrs.length === 1) optimizer.lr = lrs[0];
  else lrs.forEach((lr, i) => setGroupLr.call(optimizer, i, lr));
}

/**
 * The base of the schedulers (PyTorch's `LRScheduler`). Construction counts as epoch 0 and leaves
 * the learning rate at its epoch-0 value (the base value for StepLR and CosineAnnealingLR); each
 * `step()` moves to the next epoch and sets the learning rate of every parameter group.
 */
export abstract class LRScheduler {
  private _baseLrs: number[];
  private _lastEpoch = 0;
  private lastLrs: number[];

  /**
   * Starts the schedule at the optimizer's current learning rate.
   * @param name The scheduler's name in error messages.
   * @param optimizer The optimizer (anything with a writable `lr`) whose learning rate is set.
   */
  protected constructor(
    protected readonly name: string,
    readonly optimizer: HasLr,
  ) {
    if (typeof optimizer !== "object" || optimizer === null || typeof optimizer.lr !== "number") {
      throw new TypeError(
        `${name}: expected an optimizer with a numeric lr, got ${String(optimizer)}`,
      );
    }
    this._baseLrs = readLrs(optimizer);
    this.lastLrs = [...this._baseLrs];
  }

  /** The first group's learning rate when the scheduler was made (the schedule's starting value). */
  get baseLr(): number {
    return this._baseLrs[0];
  }

  /** Every group's starting learning rate (PyTorch's `base_lrs`). */
  get baseLrs(): readonly number[] {
    return this._baseLrs;
  }

  /** The number of `step()` calls so far (the current epoch). */
  get lastEpoch(): number {
    return this._lastEpoch;
  }

  /** Advances one epoch and sets the optimizer's learning rates (call once per epoch). */
  step(): void {
    this._lastEpoch += 1;
    const current = readLrs(this.optimizer);
    this.apply(current.map((lr, i) => this.nextLr(lr, this._baseLrs[i] ?? this._baseLrs[0])));
  }

  /**
   * Goes back to epoch 0 from `baseLrs` and sets the epoch-0 rates, as PyTorch's `step(0)` does;
   * SequentialLR calls it when it hands over to this scheduler.
   */
  restart(baseLrs: readonly number[] = this._baseLrs): void {
    this._baseLrs = [...baseLrs];
    this._lastEpoch = 0;
    this.apply(this._baseLrs.map((base) => this.initialLr(base)));
  }

  /** The learning rate this scheduler set last, of the first group (PyTorch's `get_last_lr()[0]`). */
  getLastLr(): number {
    return this.lastLrs[0];
  }

  /** The learning rates this scheduler set last, one per group (PyTorch's `get_last_lr()`). */
  getLastLrs(): number[] {
    return [...this.lastLrs];
  }

  /** The epoch counter and rates, for `loadStateDict`. */
  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      baseLr: this.baseLr,
      lastLr: this.getLastLr(),
      baseLrs: [...this._baseLrs],
      lastLrs: [...this.lastLrs],
    };
  }

  /**
   * Restores the epoch counter and rates saved by `stateDict()`. The optimizer's own lr comes back
   * with the optimizer's state dict.
   */
  loadStateDict(sd: SchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (typeof sd !== "object" || sd === null)
      throw new Error(`${where}: expected { lastEpoch, baseLr, lastLr }, got ${String(sd)}`);
    if (!Number.isInteger(sd.lastEpoch) || sd.lastEpoch < 0) {
      throw new RangeError(
        `${where}: lastEpoch must be a non-negative integer, got ${String(sd.lastEpoch)}`,
      );
    }
    const baseLrs = (sd.baseLrs ?? [sd.baseLr]).map((v, i) => checkRange(where, `baseLrs[${i}]`, v, NON_NEGATIVE));
    const lastLrs = (sd.lastLrs ?? [sd.lastLr]).map((v, i) => checkRange(where, `lastLrs[${i}]`, v, NON_NEGATIVE));
    checkRange(where, "baseLr", sd.baseLr, NON_NEGATIVE);
    checkRange(where, "lastLr", sd.lastLr, NON_NEGATIVE);
    this._lastEpoch = sd.lastEpoch;
    this._baseLrs = baseLrs;
    this.lastLrs = lastLrs;
  }

  /** Sets the optimizer's rates and remembers them; subclasses call it for their epoch-0 rates. */
  protected apply(lrs: number[]): void {
    writeLrs(this.optimizer, lrs);
    this.lastLrs = lrs;
  }

  /** The learning rate of epoch 0 for a group whose base rate is `baseLr` (the base by default). */
  protected initialLr(baseLr: number): number {
    return baseLr;
  }

  /** The learning rate of epoch `lastEpoch` for one group, given its current and base rates. */
  protected abstract nextLr(current: number, baseLr: number): number;
}

/** Settings of `StepLR`. */
export interface StepLROptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplicative decay (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies the learning rate by `gamma` every `stepSize` epochs (PyTorch's `StepLR`):
 * lr(epoch) = baseLr · gamma^floor(epoch / stepSize).
 * @example
 * const scheduler = new StepLR(optimizer, { stepSize: 10, gamma: 0.5 });
 * for (let epoch = 0; epoch < 30; epoch++) { train(); scheduler.step(); }
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** The factor each decay multiplies the learning rate by. */
  readonly gamma: number;

  /** Multiplies the learning rate by `gamma` every `stepSize` epochs. */
  constructor(optimizer: HasLr, options: StepLROptions) {
    super("StepLR", optimizer);
    checkKeys("StepLR", options, ["stepSize", "gamma"]);
    this.stepSize = positiveInteger("StepLR", "stepSize", options.stepSize);
    this.gamma = numberOption("StepLR", "gamma", options.gamma, 0.1, NON_NEGATIVE);
  }

  protected nextLr(current: number): number {
    return this.lastEpoch % this.stepSize === 0 ? current * this.gamma : current;
  }
}

/** Settings of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** Epochs of a half cosine period, from baseLr down to etaMin. */
  tMax: number;
  /** The smallest learning rate (default 0). */
  etaMin?: number;
}

/**
 * Anneals the learning rate along a cosine from its base value to `etaMin` over `tMax` epochs, then
 * back up (PyTorch's `CosineAnnealingLR`, without restarts; Loshchilov & Hutter, SGDR,
 * https://arxiv.org/abs/1608.03983):
 * lr(epoch) = etaMin + (baseLr − etaMin) · (1 + cos(π · epoch / tMax)) / 2.
 * @example
 * const scheduler = new CosineAnnealingLR(optimizer, { tMax: 20 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs from the base learning rate down to `etaMin`. */
  readonly tMax: number;
  /** The lowest learning rate. */
  readonly etaMin: number;

  /** Anneals the learning rate along a cosine from its base value to `etaMin` over `tMax` epochs. */
  constructor(optimizer: HasLr, options: CosineAnnealingLROptions) {
    super("CosineAnnealingLR", optimizer);
    checkKeys("CosineAnnealingLR", options, ["tMax", "etaMin"]);
    this.tMax = positiveInteger("CosineAnnealingLR", "tMax", options.tMax);
    this.etaMin = numberOption("CosineAnnealingLR", "etaMin", options.etaMin, 0, NON_NEGATIVE);
  }

  /** The closed form at `epoch` (what the recursive update reproduces when lr is left alone). */
  closedFormLr(epoch: number): number {
    return (
      this.etaMin +
      ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2
    );
  }

  protected nextLr(current: number, baseLr: number): number {
    const { lastEpoch: e, tMax, etaMin } = this;
    // NOTE: at e = tMax + 1 (mod 2·tMax) the ratio below divides by zero; PyTorch adds the
    // rise of the first step of the upward half instead
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return current + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
    }
    const ratio = (1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax));
    return ratio * (current - etaMin) + etaMin;
  }
}
