// model.safetensors: the weights under the names docs/torch_gpt.py expects, the model's shape and
// vocabulary in the file's metadata (so the file alone rebuilds the model), and vocabulary.json
// beside it for readers of the run folder.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { CharTokenizer } from "@tg/data";
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from "@tg/nn";
import { Rng, type Tensor } from "@tg/tensor";
import { errorLine, UsageError } from "./errors.js";
import { writeFileAtomic } from "./metrics.js";
import { Gpt, type GptConfig } from "./model.js";

/** The checkpoint's file name in a run folder. */
export const CHECKPOINT_FILE = "model.safetensors";
/** The vocabulary's file name in a run folder (the same vocabulary is in the checkpoint's metadata). */
export const VOCABULARY_FILE = "vocabulary.json";

/** A model read back from a checkpoint, in eval mode, with its tokenizer. */
export interface LoadedCheckpoint {
  model: Gpt;
  tokenizer: CharTokenizer;
  metadata: Record<string, string>;
}

/** Writes model.safetensors (config and vocabulary in the metadata) and vocabulary.json into `dir`. */
export function saveCheckpoint(dir: string, model: Gpt, tokenizer: CharTokenizer, extra: Record<string, string> = {}): void {
  const vocabulary = JSON.stringify(tokenizer.toJSON());
  const metadata = { format: "pt", config: JSON.stringify(model.config), vocabulary, ...extra };
  writeFileAtomic(join(dir, CHECKPOINT_FILE), saveSafetensors(model, metadata));
  writeFileAtomic(join(dir, VOCABULARY_FILE), `${vocabulary}\n`);
}

/** Reads a checkpoint (a model.safetensors, or a run folder holding one); throws UsageError when it cannot. */
export function loadCheckpoint(pathOrDir: string): LoadedCheckpoint {
  const path = existsSync(pathOrDir) && statSync(pathOrDir).isDirectory() ? join(pathOrDir, CHECKPOINT_FILE) : pathOrDir;
  if (!existsSync(path)) throw new UsageError(`checkpoint ${path} does not exist`);
  let metadata: Record<string, string>;
  let tensors: Record<string, Tensor>;
  try {
    const bytes = readFileSync(path);
    metadata = loadSafetensorsMetadata(bytes);
    tensors = loadSafetensors(bytes);
  } catch (err) {
    throw new UsageError(`checkpoint ${path} is not a readable safetensors file (${errorLine(err)})`);
  }
  const config = parseConfig(path, metadata.config);
  const tokenizer = readTokenizer(path, metadata.vocabulary);
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new UsageError(`checkpoint ${path}: the vocabulary has ${tokenizer.vocabSize} characters, the model ${config.vocabSize}`);
  }
  const model = new Gpt(config, new Rng(0));
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    throw new UsageError(`checkpoint ${path} does not fit its model: ${errorLine(err)}`);
  }
  model.eval();
  return { model, tokenizer, metadata };
}

function parseConfig(path: string, text: string | undefined): GptConfig {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "");
  } catch {
    throw new UsageError(`checkpoint ${path} has no model config in its metadata (not written by gpt train?)`);
  }
  const keys = ["vocabSize", "context", "layers", "heads", "width"] as const;
  if (typeof value !== "object" || value === null || !keys.every((k) => Number.isInteger((value as Record<string, unknown>)[k]))) {
    throw new UsageError(`checkpoint ${path} has a malformed model config: ${text}`);
  }
  const record = value as Record<string, number>;
  return { vocabSize: record.vocabSize, context: record.context, layers: record.layers, heads: record.heads, width: record.width };
}

/** The tokenizer from the metadata, else from vocabulary.json beside the checkpoint. */
function readTokenizer(path: string, text: string | undefined): CharTokenizer {
  const beside = join(dirname(path), VOCABULARY_FILE);
  const source = text ?? (existsSync(beside) ? readFileSync(beside, "utf8") : undefined);
  if (source === undefined) throw new UsageError(`checkpoint ${path} has no vocabulary (metadata or ${VOCABULARY_FILE})`);
  try {
    return CharTokenizer.fromJSON(JSON.parse(source));
  } catch (err) {
    throw new UsageError(`checkpoint ${path} has an unreadable vocabulary (${errorLine(err)})`);
  }
}
