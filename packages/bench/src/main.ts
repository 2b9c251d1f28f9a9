// `pnpm bench`: runs tg, TF.js (cpu and wasm backends) and, where python3 has them, NumPy and
// PyTorch, each in its own process on the same inputs, then writes BENCHMARKS.md at the repo root.
// Options: --only=<system,...> (tg, tfjs-wasm, tfjs-cpu, numpy, torch), --benches=<bench,...>
// (matmul, mlp-epoch, cnn-train, mlp-infer, gpt-train, gpt-generate), --full-epoch (time whole epochs, not samples),
// --rounds=<n> (run each system n times in turn and report the median of the rounds; default 3;
// TF.js's cpu backend, ~100x slower, runs once), --quick (one matmul shape and inference with tiny
// chunks, one round: checks that every runner works; writes nothing). Run it as `pnpm bench
// [--node <path to a node binary>]` to time under another Node: each Node line's results are kept
// in results/node<major>.json and BENCHMARKS.md shows Node 20 and Node 24 side by side.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { wasmInfo } from "@tg/tensor";
import { writeInputs } from "./cases.js";
import { GPT_TORCH_SCRIPT, gptTorchArgs } from "./gpt-torch.js";
import { describeMachine } from "./machine.js";
import { PYTHON_SCRIPT, pythonArgs, pythonWith, threadEnv, torchBuildNote } from "./python.js";
import { loadNodeLines, nodeLinesMarkdown, saveNodeLine } from "./node-lines.js";
import { benchmarksMarkdown, replaceBenchSection, summaryMarkdown } from "./report.js";
import { type Result, medianOfRounds, parseResults } from "./results.js";

const option = (name: string): string[] | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(",");
const only = option("only");
const quick = process.argv.includes("--quick");
const benches = option("benches") ?? (quick ? ["matmul", "mlp-infer"] : ["matmul", "mlp-epoch", "cnn-train", "mlp-infer", "gpt-train", "gpt-generate"]);
const fullEpoch = process.argv.includes("--full-epoch");
const rounds = Number(option("rounds")?.[0] ?? (quick ? 1 : 3));
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`pnpm bench: --rounds must be a positive integer, got ${option("rounds")?.[0]}\n`);
  process.exit(2);
}
const machine = describeMachine();
const inputs = mkdtempSync(join(tmpdir(), "tg-bench-"));
writeInputs(inputs);

interface Run {
  group: string;
  title: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Run in the first round only (too slow to repeat). */
  once?: boolean;
}

const node = (script: string, ...extra: string[]): Pick<Run, "command" | "args"> => ({
  command: process.execPath,
  args: [...process.execArgv, fileURLToPath(new URL(script, import.meta.url)), JSON.stringify({ inputs, benches, fullEpoch, quick }), ...extra],
});
const runs: Run[] = [
  { group: "tg", title: "tg (wasm 1 thread, wasm all cores, JS path)", ...node("./run-tg.ts") },
  { group: "tfjs-wasm", title: "TF.js wasm backend", ...node("./run-tfjs.ts", "wasm") },
  { group: "tfjs-cpu", title: "TF.js cpu backend", ...node("./run-tfjs.ts", "cpu"), once: true },
];
const notes: string[] = [];
const torchPython = pythonWith("torch");
for (const lib of benches.includes("matmul") ? (["numpy", "torch"] as const) : []) {
  const python = lib === "torch" ? torchPython : pythonWith(lib);
  if (python === null) {
    notes.push(`${lib === "torch" ? "PyTorch" : "NumPy"} is not installed for python3 here (\`python3 -c "import ${lib}"\` fails), so it has no column.`);
    continue;
  }
  for (const [suffix, threads] of [["1", 1], ["all", machine.cores]] as const) {
    const system = `${lib}-${suffix}`;
    const args = ["-c", PYTHON_SCRIPT, pythonArgs(inputs, lib, system, threads, quick)];
    runs.push({ group: lib, title: `${lib} on ${threads} thread(s)`, command: python, args, env: threadEnv(threads, lib) });
  }
}
const gptBenches = benches.filter((b) => b.startsWith("gpt-"));
if (gptBenches.length > 0 && torchPython !== null) {
  const args = ["-c", GPT_TORCH_SCRIPT, gptTorchArgs(gptBenches, machine.cores)];
  runs.push({ group: "torch", title: `PyTorch GPT on ${machine.cores} thread(s)`, command: torchPython, args, env: threadEnv(machine.cores, "torch") });
}
const torchNote = torchPython !== null && (only === undefined || only.includes("torch")) ? torchBuildNote(torchPython) : null;
if (torchNote !== null) notes.push(torchNote);

const results: Result[] = [];
const loads: string[] = [];
// NOTE: the systems take turns round by round, so that a slow spell of this shared machine
// lands on one round of several systems rather than on every round of one
const selected = runs.filter((r) => only === undefined || only.includes(r.group));
for (let round = 0; round < rounds; round++) for (const run of selected.filter((r) => round === 0 || !r.once)) {
  process.stderr.write(`${run.title}${rounds > 1 ? ` (round ${round + 1} of ${run.once ? 1 : rounds})` : ""} …\n`);
  const started = performance.now();
  const loadBefore = loadavg()[0];
  const out = spawnSync(run.command, run.args, { encoding: "utf8", env: run.env ?? process.env, maxBuffer: 1 << 24 });
  if (out.status !== 0) process.stderr.write(`  failed (exit ${out.status}):\n${out.stderr.slice(-2000)}\n`);
  const got = parseResults(out.stdout);
  results.push(...got);
  process.stderr.write(`  ${got.length} results in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (round === 0) loads.push(`${run.title} ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
}
const combined = medianOfRounds(results);
rmSync(inputs, { recursive: true, force: true });

const info = wasmInfo();
notes.unshift(
  `tg's wasm kernels ran ${info.relaxedSimd ? "with relaxed-SIMD FMA (f32x4.relaxed_madd)" : "with plain SIMD multiply and add (this Node does not validate relaxed SIMD; Node 22+ does)"}, ` +
    `${info.threads ? `threads over shared memory (${machine.cores} on "all cores")` : "on one thread (no blocking worker threads here)"}.`,
  "The machine is shared with other jobs while the benchmark runs, so rates on all cores in particular are noisy (512³ on two threads has measured anywhere from ~37 to ~73 GFLOPS across runs): a second thread is only as fast as the second core is free, and a worker preempted mid-tile holds up the whole call. tg's 1-thread and all-cores samples are taken in turn so that a disturbance hits both columns alike.",
  ...(rounds > 1
    ? [`Each median is the median of ${rounds} rounds and each fastest-chunk figure the best of them: every system ran ${rounds} times, the systems taking turns (TF.js's cpu backend, about a hundred times slower, ran once).`]
    : []),
  `Load average (1 min) before → after each system's first run, on ${machine.cores} cores: ${loads.join("; ")}.`,
  "TF.js's wasm backend runs on one thread in Node: its threaded build starts workers from blob URLs, which Node refuses.",
  "Every tg column is the public Tensor.matmul from @tg/tensor (a fresh output tensor per call): \"tg wasm\" on the default backend (WebAssembly SIMD, float32 sums), \"tg JS path\" after setBackend(\"js\") (the plain TypeScript reference kernel, float64 accumulation). tg's training and inference rows go through the public packages on the default (wasm) backend.",
  "Aᵀ and Bᵀ rows pass the stored [64×784] activations or [784×256] weights as transposed views (tg), with transpose flags (TF.js), or as transposed arrays (NumPy/PyTorch); none materialises the transpose.",
);
const analysisFile = fileURLToPath(new URL("../analysis.md", import.meta.url));
const analysis = existsSync(analysisFile) ? readFileSync(analysisFile, "utf8") : "";
const complete = only === undefined && option("benches") === undefined && !quick;
// a complete run keeps its results for the Node-lines table of later runs under another Node
const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));
if (complete) saveNodeLine(resultsDir, machine, combined);
const markdown = benchmarksMarkdown(machine, combined, notes, analysis, nodeLinesMarkdown(loadNodeLines(resultsDir)));
if (quick) {
  process.stdout.write(markdown);
  process.stderr.write("pnpm bench --quick: every runner reported; BENCHMARKS.md and README.md left as they are\n");
} else {
  writeFileSync(fileURLToPath(new URL("../../../BENCHMARKS.md", import.meta.url)), markdown);
  process.stdout.write(markdown);
}
// the root README shows the tables of a complete run only
if (complete) {
  const readme = fileURLToPath(new URL("../../../README.md", import.meta.url));
  writeFileSync(readme, replaceBenchSection(readFileSync(readme, "utf8"), summaryMarkdown(machine, combined, torchNote === null ? [] : [torchNote])));
}
