// Timing: warm up, then the median of several samples, each long enough to read the clock well.
// The figures of the tables come from measureChunked: short samples grouped in chunks of a few
// tenths of a second, reported as the median of all samples and the median of the fastest chunk
// (a shared host's vCPUs can run at half speed for tenths of a second at a time; the fastest
// chunk is the undisturbed rate).

/** Options for measure(). */
export interface MeasureOptions {
  /** Samples to take (fewer when the time budget runs out, but at least 3). */
  samples?: number;
  /** Shortest sample in milliseconds; fast calls are repeated within a sample. */
  minSampleMs?: number;
  /** Time budget for all samples in milliseconds. */
  budgetMs?: number;
  /** Calls per sample; by default enough for minSampleMs. */
  repsPerSample?: number;
}

/** Median seconds per call of `fn`. */
export function measure(fn: () => void, options: MeasureOptions = {}): number {
  const { samples = 7, minSampleMs = 40, budgetMs = 6000, repsPerSample } = options;
  // 1. warm up (JIT tiers, wasm tier-up, worker start): two calls and 100 ms, or one call that
  // took over a second
  let calls = 0;
  const warmStart = performance.now();
  while ((calls < 2 && performance.now() - warmStart < 1000) || performance.now() - warmStart < 100) {
    fn();
    calls++;
  }
  const perCall = (performance.now() - warmStart) / calls;
  const reps = repsPerSample ?? Math.max(1, Math.ceil(minSampleMs / Math.max(perCall, 1e-3)));
  // 2. samples
  const times: number[] = [];
  const start = performance.now();
  while (times.length < samples && (times.length < 3 || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    times.push((performance.now() - t0) / reps / 1000);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
}

/** A figure from chunked timing: seconds per call. */
export interface Timing {
  /** The median of all samples. */
  median: number;
  /** The median of the fastest chunk of consecutive samples. */
  best: number;
}

/** Options for measureChunked and measureInterleaved. */
export interface ChunkOptions {
  /** Chunks to time (fewer when the time budget runs out, but at least 3). */
  chunks?: number;
  /** Consecutive samples per chunk. */
  chunkSamples?: number;
  /** Shortest sample in milliseconds; fast calls are repeated within a sample. */
  minSampleMs?: number;
  /** Time budget for all samples in milliseconds. */
  budgetMs?: number;
  /** Chunks timed even past the budget. */
  minChunks?: number;
}

/** The defaults: chunks of 5 samples of ≥ 20 ms, about a tenth to a few tenths of a second each. */
export const CHUNKS: Required<ChunkOptions> = { chunks: 8, chunkSamples: 5, minSampleMs: 20, budgetMs: 6000, minChunks: 3 };

/** For training steps: chunks of 3 samples of ≥ 0.5 s, at least 2 of them. */
export const TRAINING_CHUNKS: ChunkOptions = { chunks: 4, chunkSamples: 3, minSampleMs: 500, budgetMs: 8000, minChunks: 2 };

/** Tiny chunks for `pnpm bench --quick`, which checks that every runner works, not its speed. */
export const QUICK_CHUNKS: ChunkOptions = { chunks: 2, chunkSamples: 2, minSampleMs: 2, budgetMs: 0, minChunks: 2 };

const median = (values: readonly number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/** Median of all `times` and the smallest median of a run of `chunkSamples` consecutive ones. */
export function summarizeChunks(times: readonly number[], chunkSamples: number): Timing {
  const chunkMedians: number[] = [];
  for (let i = 0; i + chunkSamples <= times.length; i += chunkSamples) chunkMedians.push(median(times.slice(i, i + chunkSamples)));
  return { median: median(times), best: chunkMedians.length === 0 ? median(times) : Math.min(...chunkMedians) };
}

/** Calls per sample so that a sample lasts at least `minSampleMs` (after a warm-up). */
function repsFor(fn: () => void, minSampleMs: number): number {
  const perCall = measure(fn, { samples: 1, minSampleMs: 0 });
  return Math.max(1, Math.ceil(minSampleMs / Math.max(perCall * 1000, 1e-3)));
}

/** Seconds per call of `fn`, timed in chunks of short samples (see Timing). */
export function measureChunked(fn: () => void, options: ChunkOptions = {}): Timing {
  return measureInterleaved([{ before: () => {}, fn }], options)[0];
}

/** One configuration of measureInterleaved: `before` runs ahead of each of its samples. */
export interface Variant {
  before: () => void;
  fn: () => void;
}

/**
 * The Timing of each variant, their samples taken in turn (A, B, A, B, …) so that a passing
 * disturbance on a shared machine hits all of them alike; chunk k of each variant holds its
 * samples of the same turns.
 */
export function measureInterleaved(variants: Variant[], options: ChunkOptions = {}): Timing[] {
  const { chunks, chunkSamples, minSampleMs, budgetMs, minChunks } = { ...CHUNKS, ...options };
  const reps = variants.map((v) => {
    v.before();
    return repsFor(v.fn, minSampleMs);
  });
  const times: number[][] = variants.map(() => []);
  const start = performance.now();
  for (let s = 0; s < chunks * chunkSamples && (s < minChunks * chunkSamples || performance.now() - start < budgetMs); s++) {
    variants.forEach((v, i) => {
      v.before();
      const t0 = performance.now();
      for (let r = 0; r < reps[i]; r++) v.fn();
      times[i].push((performance.now() - t0) / reps[i] / 1000);
    });
  }
  return times.map((t) => summarizeChunks(t, chunkSamples));
}

/**
 * Seconds for an epoch of `steps` calls of `step`: timed in full (one number), or the step time
 * timed in chunks (TRAINING_CHUNKS, or `chunks`) times `steps`.
 */
export function epochSeconds(step: () => void, steps: number, fullEpoch: boolean, chunks: ChunkOptions = TRAINING_CHUNKS): number | Timing {
  if (!fullEpoch) {
    const timing = measureChunked(step, chunks);
    return { median: steps * timing.median, best: steps * timing.best };
  }
  step();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) step();
  return (performance.now() - t0) / 1000;
}

/** How an epoch time was obtained, and on what data. */
export function epochNote(fullEpoch: boolean, data: { source: string }): string {
  const { chunkSamples, minSampleMs } = { ...CHUNKS, ...TRAINING_CHUNKS };
  const how = fullEpoch ? "one full epoch" : `extrapolated from the step time, timed in chunks of ${chunkSamples} samples of ≥ ${minSampleMs / 1000} s`;
  return `${how}, on ${data.source}`;
}
