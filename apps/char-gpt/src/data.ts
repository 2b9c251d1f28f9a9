// The training text: Debian's fortunes (every plain text file under /usr/share/games/fortunes,
// concatenated in name order) or a file given with --text, tokenized per character and split
// into training and validation tokens (the first 90% and the last 10%).

import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CharTokenizer, splitTokens } from "@tg/data";
import { UsageError } from "./errors.js";

/** Where Debian's `fortunes` package puts its text files. */
export const FORTUNES_DIR = "/usr/share/games/fortunes";

/** The text a run trains on, where it came from, and its tokens. */
export interface Corpus {
  source: string;
  text: string;
  tokenizer: CharTokenizer;
  train: Int32Array;
  val: Int32Array;
}

/** The plain text files of a fortunes folder in name order: no .dat index, no .u8 link, no folder. */
export function fortuneFiles(dir = FORTUNES_DIR): string[] {
  if (!existsSync(dir)) {
    throw new UsageError(`no text: ${dir} does not exist (apt-get install fortunes, or pass --text FILE)`);
  }
  return readdirSync(dir)
    .filter((name) => !name.includes(".") && lstatSync(join(dir, name)).isFile())
    .sort()
    .map((name) => join(dir, name));
}

/** Reads the text of `--text FILE`, or the fortunes when `path` is null; `limit` keeps its first characters. */
export function readText(path: string | null, limit: number | null = null): { source: string; text: string } {
  let text: string;
  let source: string;
  if (path === null) {
    const files = fortuneFiles();
    text = files.map((file) => readFileSync(file, "utf8")).join("");
    source = `Debian fortunes (${files.length} files in ${FORTUNES_DIR})`;
  } else {
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`text file ${path} does not exist`);
    text = readFileSync(path, "utf8");
    source = path;
  }
  if (limit !== null) text = [...text].slice(0, limit).join("");
  return { source, text };
}

/** The corpus of `text`: a tokenizer of its characters (or the given one) and its two splits. */
export function makeCorpus(source: string, text: string, context: number, tokenizer?: CharTokenizer): Corpus {
  const chars = [...text].length;
  // each split needs at least one window of context + 1 characters
  if (chars < 10 * (context + 1)) {
    throw new UsageError(`${source} has ${chars} characters; --context ${context} needs at least ${10 * (context + 1)}`);
  }
  let tok: CharTokenizer;
  try {
    tok = tokenizer ?? CharTokenizer.fromText(text);
    const { train, val } = splitTokens(tok.encode(text), 0.1);
    return { source, text, tokenizer: tok, train, val };
  } catch (err) {
    throw new UsageError(`${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
