// The Optimizer base class: parameter checks, gradient clipping before the step, per-parameter
// state, stateDict/loadStateDict. The update rules live in sgd.ts and adam.ts.

import { formatShape, noGrad, tensor, Tensor, TensorError } from "@tg/tensor";
import { allocLike, denseView, isDense, type FloatArray } from "./arrays.js";
import { clipGradNorm, clipGradValue } from "./clip.js";
import { checkRange, LR_RANGE, optionalNumber, POSITIVE } from "./options.js";
import { splitGroups, type ParamGroup } from "./param-groups.js";

/** Settings every optimizer takes. */
export interface BaseOptions {
  /** The learning rate. */
  lr: number;
  /** Clip the gradients' total 2-norm to this value before each step (like `clip_grad_norm_`). */
  maxGradNorm?: number;
  /** Clamp each gradient element to [-clipValue, clipValue] before each step. */
  clipValue?: number;
}

/** The mutable state an optimizer keeps for one parameter: its step count and its buffers. */
export interface ParamState {
  /** Updates applied to this parameter so far. */
  step: number;
  /** The optimizer's per-parameter arrays (momentum, moments), by name. */
  readonly buffers: Record<string, FloatArray>;
}

/** One parameter's entry in a state dict: its step count and deep copies of its buffers. */
export interface ParamStateDict {
  /** Updates applied to this parameter so far. */
  step: number;
  /** Copies of the per-parameter buffers as tensors, by name. */
  buffers: Record<string, Tensor>;
}

/**
 * An optimizer's state as plain data: `state` is keyed by the parameter's index in the flat
 * list (the groups' parameters one after another, as PyTorch numbers them); `groups` holds each
 * parameter group's size and settings (absent in dicts saved before groups existed, which then
 * apply `options` to every group).
 */
export interface OptimizerStateDict<O extends BaseOptions = BaseOptions> {
  /** How many parameters the optimizer held; `loadStateDict` checks it. */
  paramCount: number;
  /** The settings (learning rate, betas, …). */
  options: O;
  /** Per-parameter state, keyed by the parameter's index in `params`. */
  state: Record<number, ParamStateDict>;
  /** Each parameter group in order (absent in dicts saved before groups existed). */
  groups?: {
    /** How many parameters of the flat list the group holds. */
    size: number;
    /** The group's settings, the optimizer's with the group's overrides applied. */
    options: O;
  }[];
}

/** One parameter group inside an optimizer: its parameters and their settings. */
interface Group<O> {
  readonly params: readonly Tensor[];
  options: O;
}

/**
 * The base of every optimizer (PyTorch's `torch.optim.Optimizer`): it holds the parameters, skips
 * those whose `.grad` is null, clips gradients when asked, and runs the subclass's update on each
 * parameter's storage in place, under `noGrad`. Parameters come as one list or as parameter
 * groups (`[{ params, weightDecay: 0 }, { params }]`), each group's settings overriding the
 * optimizer's, as in PyTorch.
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The parameters, in the order `stateDict()` indexes them (group after group). */
  readonly params: readonly Tensor[];
  /** The optimizer-wide settings: the defaults of every group. */
  protected options: O;
  private groups: Group<O>[];
  /** The group index of each parameter, by its index in `params`. */
  private readonly groupOf: number[];
  private readonly state = new Map<number, ParamState>();

  /**
   * Checks the parameters and settings.
   * @param name The optimizer's name in error messages ("AdamW").
   */
  protected constructor(
    protected readonly name: string,
    params: Iterable<Tensor> | Iterable<ParamGroup<Partial<O>>>,
    options: Partial<O>,
  ) {
    const split = splitGroups(name, params);
    this.params = checkParams(name, split.flatMap((g) => g.params));
    this.options = this.validate(options, name);
    this.groups = split.map((g, i) => ({
      params: g.params,
      options: this.validate({ ...options, ...g.overrides } as Partial<O>, `${name}: group ${i}`),
    }));
    this.groupOf = this.groups.flatMap((g, i) => g.params.map(() => i));
  }

  /**
   * The learning rate of the first group; setting it sets every group's (and the default), as
   * schedulers and users do between steps. `groupLr`/`setGroupLr` address one group.
   */
  get lr(): number {
    return this.groups[0].options.lr;
  }
  /** Sets the learning rate (a non-negative number) for the next steps. */
  set lr(value: number) {
    checkRange(this.name, "lr", value, LR_RANGE);
    this.options.lr = value;
    for (const g of this.groups) g.options.lr = value;
  }

  /** The number of parameter groups (1 when the parameters came as one list). */
  get groupCount(): number {
    return this.groups.length;
  }

  /** The learning rate of group `index` (PyTorch's `param_groups[index]["lr"]`). */
  groupLr(index: number): number {
    return this.group(index).options.lr;
  }

  /** Sets the learning rate of group `index` alone (what schedulers do, group by group). */
  setGroupLr(index: number, value: number): void {
    const group = this.group(index);
    checkRange(this.name, `lr of group ${index}`, value, LR_RANGE);
    group.options.lr = value;
    if (index === 0) this.options.lr = value;
  }

  /** The settings of group `index` with every default filled in (a copy). */
  groupSettings(index: number): O {
    return copyOptions(this.group(index).options);
  }

  /** The parameters of group `index`. */
  groupParams(index: number): readonly Tensor[] {
    return this.group(index).params;
  }

  private group(index: number): Group<O> {
    if (!Number.isInteger(index) || index < 0 || index >= this.groups.length) {
      throw new RangeError(`${this.name}: group ${index} does not exist (0..${this.groups.length - 1})`);
    }
    return this.groups[index];
  }

  /** The settings in use (a copy). */
  get settings(): O {
    return copyOptions(this.options);
  }

  /** Updates every parameter that has a gradient, in place (PyTorch's `optimizer.step()`). */
  step(): void {
    noGrad(this.runStep);
  }

  /** The body of `step()`, bound once so that a step allocates no closure. */
  private readonly runStep = (): void => {
    // 1. clip the gradients (parameters without one are skipped)
    const { maxGradNorm, clipValue } = this.options;
    if (maxGradNorm !== undefined) clipGradNorm(this.params, maxGradNorm);
    if (clipValue !== undefined) clipGradValue(this.params, clipValue);
    // 2. update each parameter that has a gradient, creating its state on its first step
    for (let index = 0; index < this.params.length; index++) {
      const p = this.params[index];
      if (p.grad === null) continue;
      const grad = gradArray(p.grad);
      const param = paramArray(p);
      const options = this.groups[this.groupOf[index]].options;
      let state = this.state.get(index);
      if (state === undefined) {
        state = { step: 0, buffers: this.allocBuffers(param, this.bufferNames(options)) };
        this.state.set(index, state);
      }
      state.step += 1;
      this.update(param, grad, state, options);
    }
  };

  /** Sets every parameter's `.grad` to null (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** A deep copy of the settings and of every parameter's state, keyed by parameter index. */
  stateDict(): OptimizerStateDict<O> {
    const state: Record<number, ParamStateDict> = {};
    for (const [index, s] of this.state) {
      const shape = this.params[index].shape;
      const buffers: Record<string, Tensor> = {};
      for (const [key, data] of Object.entries(s.buffers)) buffers[key] = tensor(data, { shape });
      state[index] = { step: s.step, buffers };
    }
    const groups = this.groups.map((g) => ({ size: g.params.length, options: copyOptions(g.options) }));
    return { paramCount: this.params.length, options: copyOptions(this.options), state, groups };
  }

  /**
   * Restores settings and state saved by `stateDict()`, so training resumes exactly. Everything
   * is checked first (parameter count, buffer names and shapes, settings); on error nothing changes.
   */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    const where = `${this.name}.loadStateDict`;
    if (
      typeof sd !== "object" ||
      sd === null ||
      typeof sd.state !== "object" ||
      sd.state === null
    ) {
      throw new Error(`${where}: expected { paramCount, options, state }, got ${String(sd)}`);
    }
    if (sd.paramCount !== this.params.length) {
      throw new Error(
        `${where}: the state is for ${sd.paramCount} parameters, this optimizer has ${this.params.length}`,
      );
    }
    const options = this.validate(sd.options, where);
    const groupOptions = this.loadGroups(where, sd, options);
    const loaded = new Map<number, ParamState>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index >= this.params.length) {
        throw new Error(
          `${where}: state key ${key} is not a parameter index in 0..${this.params.length - 1}`,
        );
      }
      const expected = this.bufferNames(groupOptions[this.groupOf[index]]);
      loaded.set(index, this.loadParamState(where, index, entry, expected));
    }
    this.options = options;
    this.groups = this.groups.map((g, i) => ({ params: g.params, options: groupOptions[i] }));
    this.state.clear();
    for (const [index, s] of loaded) this.state.set(index, s);
  }

  /** Each group's settings from a state dict, checked against this optimizer's groups. */
  private loadGroups(where: string, sd: OptimizerStateDict<O>, options: O): O[] {
    if (sd.groups === undefined) return this.groups.map(() => copyOptions(options));
    const sizes = this.groups.map((g) => g.params.length);
    const saved = Array.isArray(sd.groups) ? sd.groups.map((g) => g?.size) : [];
    if (saved.join() !== sizes.join()) {
      throw new Error(`${where}: the state has groups of sizes [${saved.join(", ")}], this optimizer [${sizes.join(", ")}]`);
    }
    return sd.groups.map((g, i) => this.validate(g.options, `${where}: group ${i}`));
  }

  /** The settings checked and filled with defaults; throws a RangeError naming `where` on a bad one. */
  protected abstract validate(options: Partial<O>, where: string): O;
  /** The names of the per-parameter buffers `update` uses under these settings. */
  protected abstract bufferNames(options: O): string[];
  /**
   * Zero-filled buffers named `names`, each as long as `like` and of its float type (PyTorch keeps
   * state in the parameter's dtype).
   */
  protected allocBuffers(like: FloatArray, names: string[]): Record<string, FloatArray> {
    const buffers: Record<string, FloatArray> = {};
    for (const key of names) buffers[key] = allocLike(like);
    return buffers;
  }
  /**
   * Applies one step to a parameter's elements with its group's settings; `state.step` already
   * counts this step.
   */
  protected abstract update(param: FloatArray, grad: FloatArray, state: ParamState, options: O): void;

  private loadParamState(
    where: string,
    index: number,
    entry: ParamStateDict,
    expected: string[],
  ): ParamState {
    const p = this.params[index];
    if (
      typeof entry !== "object" ||
      entry === null ||
      !Number.isInteger(entry.step) ||
      entry.step < 0
    ) {
      throw new Error(
        `${where}: state ${index} needs a non-negative integer step, got ${JSON.stringify(entry?.step)}`,
      );
    }
    const names = Object.keys(entry.buffers ?? {}).sort();
    if (names.join() !== [...expected].sort().join()) {
      throw new Error(
        `${where}: state ${index} has buffers [${names.join(", ")}], expected [${expected.join(", ")}]`,
      );
    }
    const buffers = this.allocBuffers(paramArray(p), expected);
    for (const key of expected) {
      const t = entry.buffers[key];
      if (!(t instanceof Tensor) || t.shape.join() !== p.shape.join() || t.ndim !== p.ndim) {
        const got = t instanceof Tensor ? formatShape(t.shape) : String(t);
        throw new TensorError(
          `${where}: buffer ${key} of parameter ${index} has shape ${got}, expected ${formatShape(p.shape)}`,
        );
      }
      buffers[key].set(t.dataSync());
    }
    return { step: entry.step, buffers };
  }
}

/**
 * Checks the settings every optimizer shares. `lr` falls back to `defaultLr`, or is required when
 * there is none (SGD).
 */
export function baseSettings(
  where: string,
  options: Partial<BaseOptions>,
  defaultLr?: number,
): BaseOptions {
  if (options.lr === undefined && defaultLr === undefined)
    throw new RangeError(`${where}: lr is required`);
  return {
    lr: options.lr === undefined ? (defaultLr ?? 0) : checkRange(where, "lr", options.lr, LR_RANGE),
    maxGradNorm: optionalNumber(where, "maxGradNorm", options.maxGradNorm, POSITIVE),
    clipValue: optionalNumber(where, "clipValue", options.clipValue, POSITIVE),
  };
}

/** The keys of `BaseOptions`, for the unknown-option check. */
export const BASE_KEYS = ["lr", "maxGradNorm", "clipValue"] as const;

function checkParams(name: string, params: Iterable<Tensor>): Tensor[] {
  if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
    throw new TypeError(`${name}: params must be an iterable of tensors, got ${String(params)}`);
  }
  const list = [...params];
  if (list.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
  const seen = new Set<Tensor>();
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${name}: parameter ${i} is not a Tensor`);
    if (p.dtype === "int32")
      throw new TensorError(`${name}: parameter ${i} must be float32 or float64, got int32`);
    if (!p.isLeaf)
      throw new TensorError(`${name}: parameter ${i} is not a leaf tensor; optimize the leaves`);
    if (!isDense(p)) {
      throw new TensorError(
        `${name}: parameter ${i} of shape ${formatShape(p.shape)} is a strided view; pass contiguous tensors`,
      );
    }
    if (seen.has(p)) throw new TensorError(`${name}: parameter ${i} appears more than once`);
    seen.add(p);
  });
  return list;
}

/** The parameter's own elements: a view into its storage, written in place by `update`. */
function paramArray(p: Tensor): FloatArray {
  const view = denseView(p);
  if (view === null) throw new TensorError("optimizer: int32 parameters cannot be optimized");
  return view;
}

/**
 * The gradient's elements in row-major order: its storage itself when dense (no copy), a
 * contiguous copy only when the gradient is a strided view.
 * NOTE: Tensor's `grad` setter already guarantees the parameter's shape and dtype.
 */
function gradArray(grad: Tensor): FloatArray {
  const elements = isDense(grad) ? denseView(grad) : grad.dataSync();
  if (elements === null || elements instanceof Int32Array) {
    throw new TensorError("optimizer: int32 gradients cannot be applied");
  }
  return elements;
}

function copyOptions<O extends BaseOptions>(options: O): O {
  const copy = { ...options };
  for (const [key, value] of Object.entries(copy)) {
    if (Array.isArray(value)) (copy as Record<string, unknown>)[key] = [...value];
  }
  return copy;
}
