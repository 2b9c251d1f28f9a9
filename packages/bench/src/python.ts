// The Python peers: NumPy (its BLAS) always when python3 has it, PyTorch when `import torch`
// works. One process per library and thread count; the script prints the same RESULT lines.

import { spawnSync } from "node:child_process";
import { MATMUL_CASES } from "./cases.js";

/** True when `python3 -c "import <module>"` succeeds. */
export function pythonHas(module: string): boolean {
  return spawnSync("python3", ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
}

/** Environment that limits BLAS and OpenMP pools to `threads` threads. */
export function threadEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/** The argument for PYTHON_SCRIPT: inputs folder, cases, library, system id and threads. */
export function pythonArgs(inputs: string, lib: "numpy" | "torch", system: string, threads: number): string {
  return JSON.stringify({ inputs, lib, system, threads, cases: MATMUL_CASES });
}

/** measure(fn): median seconds per call, timed like timing.ts (warm-up, median of samples). */
export const PYTHON_MEASURE = String.raw`
def measure(fn, samples=7, min_sample=0.04, budget=6.0):
    calls, start = 0, time.perf_counter()
    while calls < 2 or time.perf_counter() - start < 0.1:
        fn(); calls += 1
    per_call = (time.perf_counter() - start) / calls
    reps = max(1, int(min_sample / max(per_call, 1e-6)) + 1)
    times, start = [], time.perf_counter()
    while len(times) < samples and (len(times) < 3 or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return times[len(times) // 2]
`;

/** Times matmul on each case like timing.ts does (warm-up, median of samples). */
export const PYTHON_SCRIPT = String.raw`
import json, os, sys, time
cfg = json.loads(sys.argv[1])
import numpy as np
torch = None
if cfg["lib"] == "torch":
    import torch
    torch.set_num_threads(cfg["threads"])

${PYTHON_MEASURE}
for c in cfg["cases"]:
    m, n, k = c["m"], c["n"], c["k"]
    a = np.fromfile(os.path.join(cfg["inputs"], c["id"] + "-a.f32"), dtype="<f4")
    b = np.fromfile(os.path.join(cfg["inputs"], c["id"] + "-b.f32"), dtype="<f4")
    a = a.reshape(k, m).T if c["transA"] else a.reshape(m, k)
    b = b.reshape(n, k).T if c["transB"] else b.reshape(k, n)
    if torch is not None:
        ta = torch.from_numpy(np.ascontiguousarray(a.T)).T if c["transA"] else torch.from_numpy(a)
        tb = torch.from_numpy(np.ascontiguousarray(b.T)).T if c["transB"] else torch.from_numpy(b)
        fn = lambda: torch.matmul(ta, tb)
    else:
        fn = lambda: a @ b
    seconds = measure(fn)
    result = {"system": cfg["system"], "bench": "matmul", "case": c["id"], "value": 2 * m * n * k / seconds / 1e9, "unit": "GFLOPS"}
    print("RESULT " + json.dumps(result), flush=True)
`;
