// BENCHMARKS.md's Node-lines table: every complete `pnpm bench` keeps its results in
// results/node<major>.json, and the table puts the lines of NODE_LINES side by side (relaxed-SIMD
// FMA is on from Node 22; Node 20 has plain SIMD only).

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MATMUL_CASES } from "./cases.js";
import type { Machine } from "./machine.js";
import type { Result } from "./results.js";

/** The Node lines BENCHMARKS.md compares. */
export const NODE_LINES = ["20", "24"];

/** One complete run's results under one Node line. */
export interface NodeLineRun {
  machine: Machine;
  results: Result[];
}

const major = (version: string): string => version.replace(/^v/, "").split(".")[0];

/** Writes `results` as the latest run of this Node line. */
export function saveNodeLine(dir: string, machine: Machine, results: Result[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `node${major(machine.node)}.json`), `${JSON.stringify({ machine, results }, null, 1)}\n`);
}

/** The kept runs by Node major version. */
export function loadNodeLines(dir: string): Map<string, NodeLineRun> {
  const runs = new Map<string, NodeLineRun>();
  if (!existsSync(dir)) return runs;
  for (const file of readdirSync(dir).filter((f) => /^node\d+\.json$/.test(f))) {
    const run = JSON.parse(readFileSync(join(dir, file), "utf8")) as NodeLineRun;
    runs.set(major(run.machine.node), run);
  }
  return runs;
}

/** A figure as "median / best chunk", or the median alone. */
export function cell(result: Result | undefined, digits = 1): string {
  if (result === undefined || result.value === null) return "–";
  return result.best === undefined ? result.value.toFixed(digits) : `${result.value.toFixed(digits)} / ${result.best.toFixed(digits)}`;
}

const ROWS: { bench: string; id: string; title: string; digits: number }[] = [
  ...MATMUL_CASES.map((c) => ({ bench: "matmul", id: c.id, title: `matmul ${c.label} (GFLOPS)`, digits: 1 })),
  { bench: "mlp-epoch", id: "epoch", title: "MLP epoch (s)", digits: 2 },
  { bench: "cnn-train", id: "train", title: "CNN training (images/s)", digits: 0 },
  { bench: "mlp-infer", id: "1", title: "MLP inference, 1 image (ms)", digits: 3 },
  { bench: "mlp-infer", id: "1000", title: "MLP inference, 1000 images (ms)", digits: 2 },
];
const SYSTEMS: [string, string, string[]][] = [
  ["tg-wasm-1", "tg wasm, 1 thread", ["matmul"]],
  ["tg-wasm-all", "tg wasm, all cores", ["matmul"]],
  ["tg", "tg", ["mlp-epoch", "cnn-train", "mlp-infer"]],
  ["tfjs-wasm", "TF.js wasm", ["matmul", "mlp-epoch", "cnn-train", "mlp-infer"]],
];

/** The "Node 20 and Node 24" section of BENCHMARKS.md. */
export function nodeLinesMarkdown(runs: Map<string, NodeLineRun>): string[] {
  const head = ["figure", ...SYSTEMS.flatMap(([, title]) => NODE_LINES.map((line) => `${title}, Node ${line}`))];
  const body = ROWS.map(({ bench, id, title, digits }) => [
    title,
    ...SYSTEMS.flatMap(([system, , benches]) =>
      NODE_LINES.map((line) => {
        if (!benches.includes(bench)) return "–"; // not measured for this system
        return cell(runs.get(line)?.results.find((r) => r.system === system && r.bench === bench && r.case === id), digits);
      }),
    ),
  ]);
  const measured = NODE_LINES.filter((line) => runs.has(line)).map((line) => {
    const { machine } = runs.get(line)!;
    return `- Node ${line}: ${machine.node} (V8 ${machine.v8}) on ${machine.cpu}, ${machine.cores} cores.`;
  });
  const missing = NODE_LINES.filter((line) => !runs.has(line)).map(
    (line) => `- Node ${line}: not measured yet. On a quiet machine run \`pnpm bench --node <path to a Node ${line} binary>\` (\`npm i --prefix /tmp/node${line} node@${line}\` installs one at /tmp/node${line}/node_modules/.bin/node).`,
  );
  return [
    "## Node 20 and Node 24",
    "",
    "The same figures under each Node line (each cell: median of all samples / median of the fastest chunk). Node 24's V8 validates relaxed SIMD, so tg's kernels use fused multiply-add there.",
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...body.map((r) => `| ${r.join(" | ")} |`),
    "",
    ...measured,
    ...missing,
    "",
  ];
}
