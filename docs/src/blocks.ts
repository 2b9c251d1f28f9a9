// Code blocks of the site's pages: every ```ts block is type-checked and run, every ```python
// block is run (when PyTorch is installed), in page order in one folder per page, so a later block
// can read a file an earlier one wrote. A block whose info string has `graph` prints DOT text,
// which the build renders to SVG under the block.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { SITE_DIR } from "./paths.js";

/** A fenced code block of a page. */
export interface CodeBlock {
  /** The page, relative to the site folder (`learn/graph.md`). */
  page: string;
  /** 1-based line of the opening fence in the page. */
  line: number;
  /** The language (`ts`, `python`, `sh`, ...). */
  lang: string;
  /** Words after the language in the info string (`graph`). */
  flags: string[];
  code: string;
}

/** Languages whose blocks are run: TypeScript with tsx, Python with python3. */
export const RUN_LANGS = new Set(["ts", "python"]);

/** Site pages written by hand (generated folders excluded), relative to the site folder. */
export function handWrittenPages(dir = SITE_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      const rel = relative(SITE_DIR, path);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && rel !== "api" && rel !== "source" && entry.name !== "node_modules") walk(path);
      } else if (entry.name.endsWith(".md")) {
        out.push(rel);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** The fenced blocks of a Markdown text (``` fences; info string `lang flag flag`). */
export function extractBlocks(page: string, markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(fence)) body.push(lines[j++]);
    if (j === lines.length) throw new Error(`${page}:${i + 1}: code block is not closed`);
    const flags = open[3].replace(/\[.*?\]|\{.*?\}/g, " ").split(/\s+/).filter(Boolean);
    blocks.push({ page, line: i + 1, lang: open[2], flags, code: body.join("\n") + "\n" });
    i = j;
  }
  return blocks;
}

/** Every block of every hand-written page. */
export function allBlocks(): CodeBlock[] {
  return handWrittenPages().flatMap((page) => extractBlocks(page, readFileSync(join(SITE_DIR, page), "utf8")));
}

/** A short stable key for a block's code, naming its rendered graph. */
export function blockKey(code: string): string {
  return createHash("sha256").update(code).digest("hex").slice(0, 16);
}
