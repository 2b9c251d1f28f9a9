// Type-checks and runs the code blocks of the site's pages; exit 1 on a failure.
//   pnpm --filter @tg/docs check:blocks [--verbose] [learn/graph.md ...]   (all pages when none is named;
//   --verbose prints what each block printed)

import { allBlocks } from "../src/blocks.js";
import { runBlocks, typecheckBlocks, writeBlocks } from "../src/run-blocks.js";

async function main(): Promise<void> {
  const verbose = process.argv.includes("--verbose");
  const only = process.argv.slice(2).filter((a) => a !== "--verbose");
  const blocks = allBlocks().filter((b) => only.length === 0 || only.includes(b.page));
  const written = writeBlocks(blocks);
  const typeErrors = await typecheckBlocks(written);
  if (typeErrors) console.error(typeErrors);
  const results = await runBlocks(written);
  let failed = typeErrors ? 1 : 0;
  for (const r of results) {
    if (verbose) console.log(`--- ${r.written.block.page}:${r.written.block.line} (${r.status})\n${r.stdout.trimEnd()}`);
    if (r.status !== "passed") console.error(r.error);
    if (r.status === "failed") failed++;
  }
  const count = (s: string): number => results.filter((r) => r.status === s).length;
  console.log(`code blocks: ${count("passed")} ran, ${count("failed")} failed, ${count("skipped")} skipped; type errors: ${typeErrors ? "yes" : "none"}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
