// Renders the `graph` code blocks: each prints Graphviz DOT (from toDot), which is turned into SVG
// with a WebAssembly build of Graphviz (@viz-js/viz; nothing native), one file per block.

import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { instance } from "@viz-js/viz";
import { blockKey, type CodeBlock } from "./blocks.js";
import { DOCS_DIR, GRAPHS_DIR } from "./paths.js";
import { runBlock, writeBlocks } from "./run-blocks.js";

/** The file a graph block's SVG is written to. */
export function graphPath(code: string): string {
  return join(GRAPHS_DIR, `${blockKey(code)}.svg`);
}

/** The rendered SVG of a graph block, or an Error telling to run the prepare step. */
export function readGraph(code: string, where: string): string {
  const path = graphPath(code);
  if (!existsSync(path)) throw new Error(`${where}: graph not rendered; run \`pnpm --filter @tg/docs prepare:site\``);
  return readFileSync(path, "utf8");
}

/** Converts DOT text to an SVG element (no XML prolog, no fixed size, so it scales with the page). */
export async function dotToSvg(dot: string): Promise<string> {
  const viz = await instance();
  const svg = viz.renderString(dot, { format: "svg" });
  return svg
    .slice(svg.indexOf("<svg"))
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/ width="[^"]*" height="[^"]*"/, "")
    .trim();
}

/** Runs every graph block that has no SVG yet and renders its output. */
export async function renderGraphs(blocks: CodeBlock[]): Promise<number> {
  mkdirSync(GRAPHS_DIR, { recursive: true });
  const todo = blocks.filter((b) => b.flags.includes("graph") && !existsSync(graphPath(b.code)));
  const written = writeBlocks(todo, join(DOCS_DIR, ".graph-blocks"));
  for (const w of written) {
    const result = await runBlock(w);
    if (result.status !== "passed") throw new Error(result.error);
    if (!result.stdout.trimStart().startsWith("digraph")) {
      throw new Error(`${w.block.page}:${w.block.line}: a graph block must print DOT text (console.log(toDot(...)))`);
    }
    writeFileSync(graphPath(w.block.code), await dotToSvg(result.stdout));
  }
  return written.length;
}
