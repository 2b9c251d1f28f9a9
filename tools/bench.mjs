// `pnpm bench [--node PATH] [--quick] [options of packages/bench]`: runs the benchmarks under the
// Node binary PATH (or $TG_BENCH_NODE; by default the Node on PATH). That binary's folder goes
// first on PATH, so turbo, tsx and every runner process start that Node. --quick runs only
// packages/bench in its quick mode (one matmul shape, tiny chunks; writes no file).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { ROOT } from "./workspace.mjs";

const args = process.argv.slice(2);
let node = process.env.TG_BENCH_NODE;
const at = args.indexOf("--node");
if (at >= 0) {
  node = args[at + 1];
  if (node === undefined || node.startsWith("--")) {
    console.error("pnpm bench: --node needs the path of a Node binary, e.g. --node /tmp/node24/node_modules/.bin/node");
    process.exit(2);
  }
  args.splice(at, 2);
}
const env = { ...process.env };
if (node !== undefined) {
  node = resolve(node);
  const version = existsSync(node) ? spawnSync(node, ["--version"], { encoding: "utf8" }) : undefined;
  if (version?.status !== 0) {
    console.error(`pnpm bench: --node ${node} is not a Node binary that runs`);
    process.exit(2);
  }
  env.PATH = `${dirname(node)}${delimiter}${env.PATH ?? ""}`;
  console.error(`pnpm bench: under Node ${version.stdout.trim()} (${node})`);
}
const quick = args.includes("--quick");
const turbo = ["run", "bench", "--concurrency=1", "--output-logs=full", ...(quick ? ["--filter=@tg/bench"] : [])];
const result = spawnSync(join(ROOT, "node_modules", ".bin", "turbo"), [...turbo, ...(args.length > 0 ? ["--", ...args] : [])], {
  cwd: ROOT,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
