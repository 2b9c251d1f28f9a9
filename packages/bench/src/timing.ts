// Timing: warm up, then the median of several samples, each long enough to read the clock well.

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

/** One configuration of measureInterleaved: `before` runs ahead of each of its samples. */
export interface Variant {
  before: () => void;
  fn: () => void;
}

/**
 * Median seconds per call of each variant, their samples taken in turn (A, B, A, B, …) so that a
 * passing disturbance on a shared machine hits all of them alike.
 */
export function measureInterleaved(variants: Variant[], { samples = 9, minSampleMs = 40 }: MeasureOptions = {}): number[] {
  const reps = variants.map((v) => {
    v.before();
    const perCall = measure(v.fn, { samples: 1, minSampleMs: 0 });
    return Math.max(1, Math.ceil(minSampleMs / Math.max(perCall * 1000, 1e-3)));
  });
  const times: number[][] = variants.map(() => []);
  for (let s = 0; s < samples; s++) {
    variants.forEach((v, i) => {
      v.before();
      const t0 = performance.now();
      for (let r = 0; r < reps[i]; r++) v.fn();
      times[i].push((performance.now() - t0) / reps[i] / 1000);
    });
  }
  return times.map((t) => t.sort((x, y) => x - y)[Math.floor(t.length / 2)]);
}

/** Shortest sample of training steps, in milliseconds. */
export const TRAINING_SAMPLE_MS = 2000;

/** measure() options for training steps: three samples of at least TRAINING_SAMPLE_MS. */
export const TRAINING_SAMPLES: MeasureOptions = { samples: 3, budgetMs: 0, minSampleMs: TRAINING_SAMPLE_MS };

/**
 * Seconds for an epoch of `steps` calls of `step`: timed in full, or the median time per step of
 * three samples of at least TRAINING_SAMPLE_MS, times `steps`.
 */
export function epochSeconds(step: () => void, steps: number, fullEpoch: boolean): number {
  if (!fullEpoch) return steps * measure(step, TRAINING_SAMPLES);
  step();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) step();
  return (performance.now() - t0) / 1000;
}

/** How an epoch time was obtained, and on what data. */
export function epochNote(fullEpoch: boolean, data: { source: string }): string {
  const how = fullEpoch ? "one full epoch" : `extrapolated from the median step time of 3 samples of ≥ ${TRAINING_SAMPLE_MS / 1000} s`;
  return `${how}, on ${data.source}`;
}
