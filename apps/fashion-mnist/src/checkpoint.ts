// model.safetensors: the weights (PyTorch's names and layout) with the architecture in the file's
// metadata, so `evaluate` and `predict` rebuild the right model or fail with one clear line.

import { existsSync, readFileSync, statSync } from "node:fs";
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors, type Sequential } from "@tg/nn";
import { Rng, type Tensor } from "@tg/tensor";
import { errorLine, UsageError } from "./errors.js";
import { writeFileAtomic } from "./metrics.js";
import { buildModel } from "./models.js";
import type { Architecture } from "./options.js";

const ARCHITECTURES: readonly Architecture[] = ["mlp", "cnn"];

/** A model read back from a checkpoint, in eval mode. */
export interface LoadedCheckpoint {
  architecture: Architecture;
  model: Sequential;
  metadata: Record<string, string>;
}

/** Writes the model's weights with `architecture` (and any `extra` strings) in the metadata. */
export function saveCheckpoint(path: string, model: Sequential, architecture: Architecture, extra: Record<string, string> = {}): void {
  writeFileAtomic(path, saveSafetensors(model, { format: "pt", architecture, ...extra }));
}

/**
 * Reads a checkpoint written by `saveCheckpoint` (or any safetensors file holding the same
 * tensors) and rebuilds its model. Throws UsageError when the file is missing, is not safetensors,
 * or holds another architecture than `expected` (when given) or than its metadata says.
 */
export function loadCheckpoint(path: string, expected: Architecture | null = null): LoadedCheckpoint {
  if (!existsSync(path)) throw new UsageError(`checkpoint ${path} does not exist`);
  if (!statSync(path).isFile()) throw new UsageError(`checkpoint ${path} is not a file`);
  let metadata: Record<string, string>;
  let tensors: Record<string, Tensor>;
  try {
    const bytes = readFileSync(path);
    metadata = loadSafetensorsMetadata(bytes);
    tensors = loadSafetensors(bytes);
  } catch (err) {
    throw new UsageError(`checkpoint ${path} is not a readable safetensors file (${errorLine(err)})`);
  }
  const broken = Object.keys(tensors).find((name) => !tensors[name].dataSync().every(Number.isFinite));
  if (broken !== undefined) {
    throw new UsageError(`checkpoint ${path} holds weights that are not finite (NaN or infinite values in ${broken}); it cannot be evaluated`);
  }
  const architecture = metadata.architecture ?? inferArchitecture(tensors);
  if (architecture === undefined) {
    throw new UsageError(`checkpoint ${path} holds neither an mlp nor a cnn model (tensors: ${describeKeys(tensors)})`);
  }
  if (!isArchitecture(architecture)) {
    throw new UsageError(`checkpoint ${path} holds architecture '${architecture}'; expected mlp or cnn`);
  }
  if (expected !== null && architecture !== expected) {
    throw new UsageError(`checkpoint ${path} holds architecture ${architecture}, not ${expected}`);
  }
  const model = buildModel(architecture, new Rng(0));
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    throw new UsageError(`checkpoint ${path} does not fit the ${architecture} model: ${errorLine(err)}`);
  }
  model.eval();
  return { architecture, model, metadata };
}

/** The architecture whose parameter names and shapes the tensors match exactly, if any. */
function inferArchitecture(tensors: Record<string, Tensor>): Architecture | undefined {
  return ARCHITECTURES.find((architecture) => {
    const expected = Object.entries(buildModel(architecture, new Rng(0)).stateDict());
    return (
      expected.length === Object.keys(tensors).length &&
      expected.every(([name, t]) => Object.hasOwn(tensors, name) && sameShape(tensors[name].shape, t.shape))
    );
  });
}

function isArchitecture(name: string): name is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(name);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function describeKeys(tensors: Record<string, Tensor>): string {
  const keys = Object.keys(tensors);
  return keys.length <= 4 ? keys.join(", ") || "none" : `${keys.slice(0, 4).join(", ")}, … ${keys.length} in all`;
}
