// ModuleList and ModuleDict: containers that hold child modules by position or by name without
// running them (Sequential, which runs its modules in order, is in sequential.ts).

import type { Tensor } from "@tg/tensor";
import { Module } from "./module.js";

function checkModule(owner: string, where: string, m: unknown): Module {
  if (!(m instanceof Module)) {
    const got = typeof m === "object" && m !== null ? (m.constructor?.name ?? "object") : m === null ? "null" : typeof m;
    throw new RangeError(`${owner}: ${where} must be a Module, got ${got}`);
  }
  return m;
}

/**
 * A list of modules whose parameters belong to the owner (PyTorch's `nn.ModuleList`): its
 * children are named "0", "1", …, so a model's `blocks = new ModuleList([...])` names parameters
 * `blocks.0.attn.in_proj_weight`. It has no `forward`; the owner calls the modules itself.
 * @example
 * const layers = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
 * let h = x;
 * for (const layer of layers) h = layer.forward(h).relu();
 */
export class ModuleList extends Module implements Iterable<Module> {
  private readonly items: Module[] = [];

  /**
   * Makes the list and registers each module as a child.
   * @param modules The modules, in order, named "0", "1", … (default none; add more with
   * `append`). Throws a RangeError if one is not a Module.
   */
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  /** The number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at `index` (negative counts from the end); throws a RangeError when out of range. */
  get(index: number): Module {
    const i = index < 0 ? index + this.items.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.items.length) {
      throw new RangeError(`ModuleList: index ${index} is out of range for ${this.items.length} modules`);
    }
    return this.items[i];
  }

  /** Adds a module at the end and returns this list. */
  append(module: Module): this {
    this.items.push(checkModule("ModuleList", `item ${this.items.length}`, module));
    return this;
  }

  override namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }

  /** A ModuleList only holds modules: calling it throws, as in PyTorch. */
  forward(..._inputs: Tensor[]): Tensor {
    throw new Error("ModuleList: has no forward; call its modules");
  }

  /** Iterates over the modules in order. */
  [Symbol.iterator](): IterableIterator<Module> {
    return this.items[Symbol.iterator]();
  }
}

/**
 * Modules by name, in insertion order (PyTorch's `nn.ModuleDict`): a child named "encoder" gives
 * parameters `encoder.weight`. It has no `forward`.
 * @example
 * const heads = new ModuleDict({ start: new Linear(8, 1), end: new Linear(8, 1) });
 * heads.get("start").forward(h);
 */
export class ModuleDict extends Module {
  private readonly items = new Map<string, Module>();

  /**
   * Makes the dict and registers each module as a child under its name.
   * @param modules The modules by name, in the record's key order (default none; add more with
   * `set`). Throws a RangeError if one is not a Module.
   */
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [name, m] of Object.entries(modules)) this.set(name, m);
  }

  /** The number of modules. */
  get size(): number {
    return this.items.size;
  }

  /** The module named `name`; throws a RangeError when there is none. */
  get(name: string): Module {
    const m = this.items.get(name);
    if (m === undefined) {
      throw new RangeError(`ModuleDict: no module named ${JSON.stringify(name)} (have ${[...this.items.keys()].join(", ")})`);
    }
    return m;
  }

  /** True when a module is named `name`. */
  has(name: string): boolean {
    return this.items.has(name);
  }

  /** Adds or replaces the module named `name` and returns this dict. Names may not contain dots. */
  set(name: string, module: Module): this {
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new RangeError(`ModuleDict: a name must be a non-empty string without dots, got ${JSON.stringify(name)}`);
    }
    this.items.set(name, checkModule("ModuleDict", `"${name}"`, module));
    return this;
  }

  /** The names, in insertion order. */
  keys(): string[] {
    return [...this.items.keys()];
  }

  /** The modules, in insertion order. */
  values(): Module[] {
    return [...this.items.values()];
  }

  /** The [name, module] pairs, in insertion order. */
  entries(): [string, Module][] {
    return [...this.items.entries()];
  }

  override namedChildren(): [string, Module][] {
    return this.entries();
  }

  /** A ModuleDict only holds modules: calling it throws, as in PyTorch. */
  forward(..._inputs: Tensor[]): Tensor {
    throw new Error("ModuleDict: has no forward; call its modules");
  }
}
