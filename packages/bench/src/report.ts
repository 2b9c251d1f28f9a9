// BENCHMARKS.md: the machine, the matmul table with ratios tg/peer, the targets checked,
// and notes on what was measured.

import { MATMUL_CASES } from "./cases.js";
import type { Machine } from "./machine.js";
import { cell } from "./node-lines.js";
import type { Result } from "./results.js";

/** Column titles of the systems, in table order. */
const SYSTEMS: [string, string][] = [
  ["tg-wasm-1", "tg wasm, 1 thread"],
  ["tg-wasm-all", "tg wasm, all cores"],
  ["tg-js", "tg JS path"],
  ["tfjs-wasm", "TF.js wasm"],
  ["tfjs-cpu", "TF.js cpu"],
  ["numpy-1", "NumPy, 1 thread"],
  ["numpy-all", "NumPy, all cores"],
  ["torch-1", "PyTorch, 1 thread"],
  ["torch-all", "PyTorch, all cores"],
];

/** Ratios shown after the rates: [numerator, denominator, title]. */
const RATIOS: [string, string, string][] = [
  ["tg-wasm-all", "tfjs-wasm", "tg (all cores) / TF.js wasm"],
  ["tg-wasm-1", "tfjs-wasm", "tg (1 thread) / TF.js wasm"],
  ["tg-wasm-all", "tfjs-cpu", "tg / TF.js cpu"],
  ["tg-wasm-all", "numpy-all", "tg / NumPy"],
  ["tg-wasm-all", "torch-all", "tg / PyTorch"],
];

type Table = Map<string, Map<string, Result>>;

function matmulTable(results: Result[]): Table {
  const table: Table = new Map();
  for (const r of results.filter((x) => x.bench === "matmul" && x.value !== null)) {
    if (!table.has(r.system)) table.set(r.system, new Map());
    table.get(r.system)!.set(r.case, r);
  }
  return table;
}

const fmt = (x: number | undefined, digits = 1): string => (x === undefined ? "–" : x.toFixed(digits));

function matmulMarkdown(table: Table): string[] {
  const systems = SYSTEMS.filter(([id]) => table.has(id));
  const ratios = RATIOS.filter(([x, y]) => table.has(x) && table.has(y));
  const head = ["shape", ...systems.map(([, title]) => title), ...ratios.map(([, , title]) => title)];
  const rows = MATMUL_CASES.map((c) => [
    c.label,
    ...systems.map(([id]) => cell(table.get(id)?.get(c.id))),
    ...ratios.map(([x, y]) => `${fmt(table.get(x)!.get(c.id)!.value! / table.get(y)!.get(c.id)!.value!, 2)}×`),
  ]);
  return [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function targetLines(table: Table): string[] {
  const get = (system: string, id: string) => table.get(system)?.get(id)?.value ?? undefined;
  const mark = (ok: boolean) => (ok ? "met" : "**not met**");
  const lines: string[] = [];
  const one = get("tg-wasm-1", "sq512");
  const all = get("tg-wasm-all", "sq512");
  if (one !== undefined) lines.push(`- 512³ on one thread ≥ 30 GFLOPS: ${fmt(one)} — ${mark(one >= 30)}`);
  if (all !== undefined) lines.push(`- 512³ on all cores ≥ 60 GFLOPS: ${fmt(all)} — ${mark(all >= 60)}`);
  for (const system of ["tg-wasm-1", "tg-wasm-all"]) {
    for (const c of MATMUL_CASES.filter((x) => x.forwardOf !== undefined)) {
      const back = get(system, c.id);
      const fwd = get(system, c.forwardOf!);
      if (back === undefined || fwd === undefined) continue;
      const ratio = back / fwd;
      lines.push(`- ${system}: ${c.label} at ${fmt(100 * ratio, 0)}% of the forward shape's rate (≥ 75%) — ${mark(ratio >= 0.75)}`);
    }
  }
  if (table.has("tg-wasm-all") && table.has("tfjs-wasm")) {
    const worst = Math.min(...MATMUL_CASES.map((c) => get("tg-wasm-all", c.id)! / get("tfjs-wasm", c.id)!));
    lines.push(`- at least 2× TF.js wasm on every shape: the smallest ratio is ${fmt(worst, 2)}× — ${mark(worst >= 2)}`);
  }
  return lines;
}

/** Training and inference rows: [bench, case, title, higher is better]. */
const TRAINING_ROWS: [string, string, string, boolean][] = [
  ["mlp-epoch", "epoch", "MLP epoch, batch 64, AdamW (s)", false],
  ["cnn-train", "train", "CNN training, batch 64 (images/s)", true],
  ["mlp-infer", "1", "MLP inference, 1 image (ms)", false],
  ["mlp-infer", "1000", "MLP inference, 1000 images (ms)", false],
  ["gpt-train", "train", "char-gpt training, batch 16 × 128 (tokens/s)", true],
  ["gpt-generate", "generate", "char-gpt generation, context 128 (tokens/s)", true],
];
const TRAINING_SYSTEMS: [string, string][] = [
  ["tg", "tg"],
  ["tfjs-wasm", "TF.js wasm"],
  ["tfjs-cpu", "TF.js cpu"],
  ["torch", "PyTorch"],
];

function trainingMarkdown(results: Result[]): string[] {
  const find = (system: string, bench: string, id: string) => results.find((r) => r.system === system && r.bench === bench && r.case === id);
  const value = (system: string, bench: string, id: string) => find(system, bench, id)?.value ?? undefined;
  const rows = TRAINING_ROWS.filter(([bench, id]) => value("tg", bench, id) !== undefined);
  if (rows.length === 0) return [];
  const systems = TRAINING_SYSTEMS.filter(([id]) => results.some((r) => r.system === id && r.bench !== "matmul"));
  const peers = systems.filter(([id]) => id !== "tg");
  const head = ["benchmark", ...systems.map(([, t]) => t), ...peers.map(([, t]) => `tg speed-up over ${t}`)];
  const body = rows.map(([bench, id, title, higher]) => {
    const tg = value("tg", bench, id)!;
    const ratio = (peer: number | undefined) => (peer === undefined ? "–" : `${fmt(higher ? tg / peer : peer / tg, 2)}×`);
    return [title, ...systems.map(([s]) => cell(find(s, bench, id), bench === "mlp-infer" ? 3 : 1)), ...peers.map(([s]) => ratio(value(s, bench, id)))];
  });
  const epoch = value("tg", "mlp-epoch", "epoch");
  const images = value("tg", "cnn-train", "train");
  const epochNotes = results.filter((r) => r.bench === "mlp-epoch" && r.value !== null && r.note !== undefined);
  const failures = results.filter((r) => r.value === null).map((r) => `${r.system} ${r.bench}: ${r.note}`);
  const notes = [...new Set(epochNotes.map((r) => `Epoch times: ${r.note}.`)), ...failures];
  return [
    "## Training and inference",
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...body.map((r) => `| ${r.join(" | ")} |`),
    "",
    ...(epoch === undefined ? [] : [`- MLP epoch ≤ 3.2 s: ${fmt(epoch, 1)} s — ${epoch <= 3.2 ? "met" : "**not met**"}`]),
    ...(images === undefined ? [] : [`- CNN training ≥ 1,000 images/s: ${fmt(images, 0)} — ${images >= 1000 ? "met" : "**not met**"}`]),
    ...notes.map((n) => `- ${n}`),
    "",
  ];
}

/** The whole BENCHMARKS.md; `analysis` (markdown written by hand) goes after the notes. */
export function benchmarksMarkdown(machine: Machine, results: Result[], notes: string[], analysis: string, nodeLines: string[] = []): string {
  const table = matmulTable(results);
  return [
    "# Benchmarks",
    "",
    "Written by `pnpm bench` (packages/bench): every system runs in its own process on the same inputs,",
    "in one run. After a warm-up each figure is timed in chunks of a few short samples; a cell reads",
    "\"median of all samples / median of the fastest chunk\" (the rate while the shared host left the",
    "core alone), and with several rounds (see the notes) the median of the rounds' medians / the best",
    "of their fastest chunks. Ratios compare medians.",
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores (${machine.features.join(", ") || "no SIMD flags read"}), Node ${machine.node} (V8 ${machine.v8}).`,
    "",
    "## matmul, float32 GFLOPS (higher is better)",
    "",
    ...matmulMarkdown(table),
    "",
    "Issue 5's targets on this run:",
    "",
    ...targetLines(table),
    "",
    ...trainingMarkdown(results),
    ...nodeLines,
    "## Notes",
    "",
    ...notes.map((n) => `- ${n}`),
    "",
    analysis,
  ].join("\n");
}

/** The tables alone, with the machine and `caveats` (notes no reader of the tables should miss), for the root README (between its bench markers). */
export function summaryMarkdown(machine: Machine, results: Result[], caveats: readonly string[] = []): string {
  return [
    `Measured by \`pnpm bench\` on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; float32 matmul in GFLOPS (higher is better; median / fastest chunk's median):`,
    "",
    ...matmulMarkdown(matmulTable(results)),
    "",
    ...trainingMarkdown(results).map((line) => (line.startsWith("## ") ? `#${line}` : line)),
    ...caveats.flatMap((c) => [`- ${c}`, ""]),
    "Notes, targets and where the time goes: [BENCHMARKS.md](BENCHMARKS.md).",
  ].join("\n");
}

/** `readme` with the text between its `<!-- bench:start -->` and `<!-- bench:end -->` lines replaced. */
export function replaceBenchSection(readme: string, section: string): string {
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`bench: README.md lacks the ${start} … ${end} lines`);
  return `${readme.slice(0, i + start.length)}\n\n${section}\n\n${readme.slice(j)}`;
}
