// Results as runner processes report them: one JSON line per measurement on stdout.

/** One measured number. */
export interface Result {
  /** System id, e.g. "tg-wasm-1" or "tfjs-wasm". */
  system: string;
  /** Benchmark id: "matmul", "mlp-epoch", "cnn-train", "mlp-infer", "gpt-train", "gpt-generate". */
  bench: string;
  /** Case id within the benchmark (a matmul shape, a batch size). */
  case: string;
  /** The measurement (the median of all samples), or null when the system could not run it (see note). */
  value: number | null;
  /** The same figure from the fastest chunk of samples (see timing.ts), when timed in chunks. */
  best?: number;
  unit: "GFLOPS" | "s" | "img/s" | "ms" | "tokens/s";
  note?: string;
  /** How many rounds' values the value is the median of (absent for a single run). */
  rounds?: number;
}

/** A timed figure: seconds per call (a number), or a Timing's median and best chunk. */
export type Seconds = number | { median: number; best: number };

/** The result fields of `seconds` converted by `toValue` (e.g. seconds to GFLOPS). */
export function figure(seconds: Seconds, toValue: (seconds: number) => number): Pick<Result, "value" | "best"> {
  return typeof seconds === "number" ? { value: toValue(seconds) } : { value: toValue(seconds.median), best: toValue(seconds.best) };
}

/**
 * Runs `measure` and records its figure converted by `toValue` (identity by default), or null
 * and the error when the system cannot run it.
 */
export function attempt(results: Result[], what: Omit<Result, "value">, measure: () => Seconds, toValue = (x: number) => x): void {
  try {
    results.push({ ...what, ...figure(measure(), toValue) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.push({ ...what, value: null, note: `could not run: ${message}` });
  }
}

const PREFIX = "RESULT ";

/** Prints a result for the parent process to collect. */
export function report(result: Result): void {
  process.stdout.write(`${PREFIX}${JSON.stringify(result)}\n`);
}

/** The results in a runner's stdout. */
export function parseResults(stdout: string): Result[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith(PREFIX))
    .map((line) => JSON.parse(line.slice(PREFIX.length)) as Result);
}

/** The runner's arguments: the inputs folder and the benchmarks to run. */
export interface RunnerArgs {
  inputs: string;
  benches: string[];
  /** Time whole training epochs instead of extrapolating from samples. */
  fullEpoch: boolean;
  /** `pnpm bench --quick`: one matmul shape, tiny chunks; checks the runners, not the speed. */
  quick?: boolean;
}

/** Reads the runner's arguments (one JSON argument after the script). */
export function runnerArgs(): RunnerArgs {
  return JSON.parse(process.argv[2] ?? "{}") as RunnerArgs;
}

/** True for units where a larger number is better. */
export const higherIsBetter = (unit: Result["unit"]): boolean => unit === "GFLOPS" || unit === "img/s";

/**
 * One result per (system, bench, case) from several rounds of runs: the median of the rounds'
 * values (the lower middle one of an even count) and the best of their best chunks, keeping the
 * notes of the first round.
 */
export function medianOfRounds(results: readonly Result[]): Result[] {
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    const key = `${r.system}\u0000${r.bench}\u0000${r.case}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rounds) => {
    const values = rounds.flatMap((r) => (r.value === null ? [] : [r.value])).sort((a, b) => a - b);
    const value = values.length === 0 ? null : values[Math.floor((values.length - 1) / 2)];
    const bests = rounds.flatMap((r) => (r.best === undefined ? [] : [r.best]));
    const best = bests.length === 0 ? {} : { best: higherIsBetter(rounds[0].unit) ? Math.max(...bests) : Math.min(...bests) };
    return { ...rounds[0], value, ...best, ...(rounds.length > 1 ? { rounds: values.length } : {}) };
  });
}
