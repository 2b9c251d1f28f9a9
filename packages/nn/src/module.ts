// Module: the base class of every layer. It finds parameters, buffers and children by walking a
// module's own fields, and implements train/eval, zeroGrad, stateDict and loadStateDict on top.

import { formatShape, noGrad, Tensor, TensorError } from "@tg/tensor";

/** What `loadStateDict` did with keys that did not match (both empty after a strict load). */
export interface LoadStateDictResult {
  /** Keys the module expects but the state dict lacks. */
  missingKeys: string[];
  /** Keys the state dict holds but the module does not expect. */
  unexpectedKeys: string[];
}

/**
 * Thrown by `loadStateDict` when the state dict does not fit the module: not a record, missing or
 * unexpected keys (listed in `missingKeys` and `unexpectedKeys`), a value that is not a tensor, or
 * a wrong shape. A TensorError, so code that catches those catches it too.
 */
export class StateDictError extends TensorError {
  override name = "StateDictError";

  /**
   * Makes the error with its message and the keys that did not match.
   * @param message What did not fit, naming the offending key or shape.
   * @param missingKeys Keys the module expects but the state dict lacks (default none).
   * @param unexpectedKeys Keys the state dict holds but the module does not expect (default none).
   */
  constructor(
    message: string,
    /** Keys the module expects but the state dict lacks. */
    readonly missingKeys: readonly string[] = [],
    /** Keys the state dict holds but the module does not expect. */
    readonly unexpectedKeys: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * The base class of layers and models (PyTorch's `nn.Module`). A subclass declares its
 * parameters (tensors that require grad), child modules and arrays of child modules as fields;
 * `Module` finds them by walking the fields in declaration order, so `namedParameters()` and
 * `stateDict()` name them with dotted paths (`0.weight`, `layers.2.bias`).
 * @example
 * class TwoLayer extends Module {
 *   readonly hidden = new Linear(4, 8);
 *   readonly out = new Linear(8, 2);
 *   forward(x: Tensor): Tensor {
 *     return this.out.forward(this.hidden.forward(x).relu());
 *   }
 * }
 * new TwoLayer().namedParameters().map(([name]) => name);
 * // ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
 */
export abstract class Module {
  /** True in training mode (the default), false after `eval()`; Dropout and BatchNorm read it. */
  training = true;

  /** Computes the module's output. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** The same as `forward`, for code that reads better as `model.call(x)`. */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /**
   * The module's own buffers: state that is saved and loaded but not trained (BatchNorm's running
   * statistics), keyed as in the state dict. Override to declare them; the default has none.
   */
  protected ownBuffers(): [string, Tensor][] {
    return [];
  }

  /**
   * The module's own parameters: fields holding a leaf tensor that requires grad, in declaration
   * order (a computed tensor kept in a field, which is not a leaf, is not a parameter).
   */
  protected ownParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.requiresGrad && value.isLeaf) out.push([key, value]);
    }
    return out;
  }

  /** The direct children with their names: module fields, and arrays of modules as `name.i`. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) {
        out.push([key, value]);
      } else if (Array.isArray(value)) {
        value.forEach((item: unknown, i) => {
          if (item instanceof Module) out.push([`${key}.${i}`, item]);
        });
      }
    }
    return out;
  }

  /** The direct child modules (PyTorch's `children()`). */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, depth first, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedModules(join(prefix, name)));
    }
    return out;
  }

  /** This module and every module below it, depth first (PyTorch's `modules()`). */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its dotted name: own parameters first, then each child's. A tensor
   * shared by two layers (tied weights) is listed once, under its first name.
   */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [name, t] of this.collect((m) => m.ownParameters())) {
      if (seen.has(t)) continue;
      seen.add(t);
      out.push([name, t]);
    }
    return out;
  }

  /** Every parameter of this module and its children, in the order of `namedParameters()`. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every buffer (BatchNorm's running statistics) with its dotted state-dict name. */
  namedBuffers(): [string, Tensor][] {
    return this.collect((m) => m.ownBuffers());
  }

  /** Sets training mode (`mode = true`) or evaluation mode on this module and all below it. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Switches this module and all below it to evaluation mode; the same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Sets the `.grad` of every parameter to null. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * The parameters and buffers by dotted name, as tensors that share their storage (so they
   * follow later training; clone them to keep a snapshot), like PyTorch's `state_dict()`.
   * A module's own parameters come first, then its buffers, then its children's entries. A tied
   * tensor appears under each of its names, all sharing one storage, as in PyTorch.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.stateEntries()) out[name] = t.detach();
    return out;
  }

  /**
   * Copies the values of `sd` into this module's parameters and buffers in place, so tensors
   * held elsewhere (by an optimizer) stay the ones being trained. Every key and shape is checked
   * before anything is copied: on an error the module is left untouched. With `strict` (the
   * default) a missing or unexpected key is an error; without it they are skipped and returned.
   * A tied tensor (one parameter under several names) needs only one of its names in `sd`, as
   * `saveSafetensors` writes it once: loading that name fills the shared tensor, so the tie stays.
   */
  loadStateDict(sd: Record<string, Tensor>, { strict = true }: { strict?: boolean } = {}): LoadStateDictResult {
    const sdValue: unknown = sd;
    if (typeof sdValue !== "object" || sdValue === null || Array.isArray(sdValue) || sdValue instanceof Tensor) {
      const got = sdValue === null ? "null" : Array.isArray(sdValue) ? "an array" : sdValue instanceof Tensor ? "a Tensor" : typeof sdValue;
      throw new StateDictError(`loadStateDict: expected a record of tensors by name (like stateDict() returns), got ${got}`);
    }
    const own = this.stateEntries();
    const expected = new Map(own);
    const missingKeys = own
      .filter(([name, t]) => !Object.hasOwn(sd, name) && !own.some(([other, u]) => u === t && Object.hasOwn(sd, other)))
      .map(([name]) => name);
    const unexpectedKeys = Object.keys(sd).filter((name) => !expected.has(name));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length > 0) parts.push(`missing keys ${quote(missingKeys)}`);
      if (unexpectedKeys.length > 0) parts.push(`unexpected keys ${quote(unexpectedKeys)}`);
      const message = `loadStateDict: ${this.constructor.name} state dict does not match: ${parts.join("; ")}`;
      throw new StateDictError(message, missingKeys, unexpectedKeys);
    }
    const pairs: [Tensor, Tensor][] = [];
    for (const [name, target] of own) {
      if (!Object.hasOwn(sd, name)) continue;
      const source: unknown = sd[name];
      if (!(source instanceof Tensor)) {
        throw new StateDictError(`loadStateDict: "${name}" must be a Tensor, got ${typeof source}`);
      }
      if (!sameShape(source.shape, target.shape)) {
        throw new StateDictError(
          `loadStateDict: "${name}" has shape ${formatShape(source.shape)} in the state dict, ` +
            `expected ${formatShape(target.shape)}`,
        );
      }
      pairs.push([target, source]);
    }
    noGrad(() => {
      for (const [target, source] of pairs) target.copy_(source);
    });
    return { missingKeys, unexpectedKeys };
  }

  private stateEntries(): [string, Tensor][] {
    return this.collect((m) => [...m.ownParameters(), ...m.ownBuffers()]);
  }

  private collect(own: (m: Module) => [string, Tensor][], prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = own(this).map(([name, t]) => [join(prefix, name), t]);
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.collect(own, join(prefix, name)));
    }
    return out;
  }
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

function quote(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
