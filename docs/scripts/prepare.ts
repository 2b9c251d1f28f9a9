// Generates what the site builds from, and fails on anything stale:
//   1. the API reference (TypeDoc; an undocumented export is an error),
//   2. a page per source file that a `code:` link points into (a link to a missing symbol is an error),
//   3. the SVG of every `graph` code block (run, then rendered with Graphviz in WebAssembly),
//   4. the PyTorch → tg table page.
// Run by `pnpm docs` and `pnpm docs:build` before VitePress.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { allBlocks, handWrittenPages } from "../src/blocks.js";
import { findCodeLinks, resolveLink } from "../src/code-links.js";
import { publicExports } from "../src/exports.js";
import { renderGraphs } from "../src/graphs.js";
import { DOCS_DIR, SITE_DIR } from "../src/paths.js";
import { writePytorchPage } from "../src/pytorch-page.js";
import { writeSourcePages } from "../src/source-pages.js";

const run = promisify(execFile);

async function step(name: string, work: () => Promise<string>): Promise<void> {
  const start = performance.now();
  const detail = await work();
  console.log(`prepare: ${name}: ${detail} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
}

await step("API reference", async () => {
  try {
    await run(join(DOCS_DIR, "node_modules", ".bin", "typedoc"), [], { cwd: DOCS_DIR, env: { ...process.env, FORCE_COLOR: "0" } });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    console.error(`${e.stdout ?? ""}${e.stderr ?? ""}`.trim());
    throw new Error("prepare: TypeDoc failed (an export without a /** doc comment */ is an error)", { cause: error });
  }
  return "site/api written";
});

await step("source pages", async () => {
  const errors: string[] = [];
  const files = new Set<string>();
  for (const page of handWrittenPages()) {
    for (const link of findCodeLinks(readFileSync(join(SITE_DIR, page), "utf8"))) {
      try {
        files.add(resolveLink(link).file);
      } catch (error) {
        errors.push(`${page}: ${(error as Error).message}`);
      }
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  const written = await writeSourcePages(files);
  return `${written.length} files`;
});

await step("graphs", async () => `${await renderGraphs(allBlocks())} rendered`);

await step("PyTorch table", async () => {
  writePytorchPage(publicExports());
  return "reference/pytorch.md written";
});
