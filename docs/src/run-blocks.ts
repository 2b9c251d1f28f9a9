// Type-checks and runs the site's code blocks (see blocks.ts); scripts/check-blocks.ts is the command.

import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { RUN_LANGS, type CodeBlock } from "./blocks.js";
import { BLOCKS_DIR, DOCS_DIR } from "./paths.js";

const run = promisify(execFile);
const TSX = join(DOCS_DIR, "node_modules", ".bin", "tsx");
const TSC = join(DOCS_DIR, "node_modules", ".bin", "tsc");
const PYTHON = "/usr/bin/python3";
/** The environment PyTorch's blocks run in: one thread, like the rest of the checks. */
const PYTHON_ENV = (() => {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
})();

/** A block written out to a file, with the folder its page's blocks share. */
export interface WrittenBlock {
  block: CodeBlock;
  dir: string;
  file: string;
}

function pageDir(root: string, page: string): string {
  return join(root, page.replace(/\.md$/, "").replace(/[^\w]+/g, "-"));
}

/** Writes the runnable blocks of `blocks` to files under `root` (emptied first), one folder per page. */
export function writeBlocks(blocks: CodeBlock[], root = BLOCKS_DIR): WrittenBlock[] {
  rmSync(root, { recursive: true, force: true });
  const counts = new Map<string, number>();
  return blocks
    .filter((b) => RUN_LANGS.has(b.lang))
    .map((block) => {
      const dir = pageDir(root, block.page);
      mkdirSync(dir, { recursive: true });
      const n = (counts.get(block.page) ?? 0) + 1;
      counts.set(block.page, n);
      const file = join(dir, `block-${n}.${block.lang === "ts" ? "ts" : "py"}`);
      writeFileSync(file, block.code);
      return { block, dir, file };
    });
}

/** Maps `.blocks/x/block-2.ts(3,5)` in tool output back to `page.md:line`. */
function toPageLines(output: string, written: WrittenBlock[]): string {
  let text = output;
  for (const w of written) {
    const rel = relative(DOCS_DIR, w.file).replace(/\\/g, "/");
    const escaped = rel.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    text = text.replace(new RegExp(`${escaped}[(:](\\d+)[,:](\\d+)\\)?`, "g"), (_, line: string) =>
      `${w.block.page}:${w.block.line + Number(line)}`,
    );
  }
  return text;
}

/** Type-checks every TypeScript block with the docs' tsconfig; returns the errors, "" when none. */
export async function typecheckBlocks(written: WrittenBlock[], root = BLOCKS_DIR): Promise<string> {
  writeFileSync(
    join(root, "tsconfig.json"),
    JSON.stringify({ extends: "../tsconfig.json", include: ["**/*.ts"], compilerOptions: { noEmit: true } }),
  );
  try {
    await run(TSC, ["-p", join(root, "tsconfig.json"), "--pretty", "false"], { cwd: DOCS_DIR });
    return "";
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return toPageLines(`${e.stdout ?? ""}${e.stderr ?? ""}` || e.message, written);
  }
}

let torch: Promise<boolean> | undefined;
/** Whether /usr/bin/python3 can import torch (the Python blocks are skipped without it). */
export function hasTorch(): Promise<boolean> {
  torch ??= run(PYTHON, ["-c", "import torch"], { env: PYTHON_ENV }).then(
    () => true,
    () => false,
  );
  return torch;
}

/** The outcome of running one block. */
export interface BlockResult {
  written: WrittenBlock;
  status: "passed" | "failed" | "skipped";
  stdout: string;
  error?: string;
}

/** Runs one block in its page's folder: TypeScript with tsx from source, Python with python3. */
export async function runBlock(w: WrittenBlock): Promise<BlockResult> {
  const where = `${w.block.page}:${w.block.line}`;
  if (w.block.lang === "python" && !(await hasTorch())) {
    return { written: w, status: "skipped", stdout: "", error: `${where}: python3 cannot import torch` };
  }
  const [command, args, env] =
    w.block.lang === "ts"
      ? [TSX, ["--conditions=@tg/source", w.file], process.env]
      : [PYTHON, [w.file], PYTHON_ENV];
  try {
    const { stdout } = await run(command, args, { cwd: w.dir, env, timeout: 300_000, maxBuffer: 64 << 20 });
    return { written: w, status: "passed", stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const detail = toPageLines(`${e.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n") || e.message, [w]);
    return { written: w, status: "failed", stdout: e.stdout ?? "", error: `${where}: the block failed\n${detail}` };
  }
}

/** Runs each page's blocks in order, `parallel` pages at a time. */
export async function runBlocks(written: WrittenBlock[], parallel = 2): Promise<BlockResult[]> {
  const byPage = new Map<string, WrittenBlock[]>();
  for (const w of written) byPage.set(w.block.page, [...(byPage.get(w.block.page) ?? []), w]);
  const pages = [...byPage.values()];
  const results: BlockResult[] = [];
  const worker = async (): Promise<void> => {
    for (let page = pages.shift(); page; page = pages.shift()) {
      for (const w of page) results.push(await runBlock(w));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}
