// The Python peers: NumPy (its BLAS) always when python3 has it, PyTorch when `import torch`
// works. One process per library and thread count; the script prints the same RESULT lines.

import { spawnSync } from "node:child_process";
import { MATMUL_CASES } from "./cases.js";
import { CHUNKS, QUICK_CHUNKS } from "./timing.js";

/** The Pythons tried for a library, in order: python3 on PATH, then the system's (where Debian's python3-torch installs). */
const PYTHONS = ["python3", "/usr/bin/python3"];

/** The first Python whose `-c "import <module>"` succeeds, or null when none has it. */
export function pythonWith(module: string): string | null {
  return PYTHONS.find((python) => spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0) ?? null;
}

/** A note when `python`'s PyTorch was built on a generic BLAS (Debian's build is), whose matmul is no measure of PyTorch elsewhere. */
export function torchBuildNote(python: string): string | null {
  const out = spawnSync(python, ["-c", "import torch; print(torch.__version__); print(torch.__config__.show())"], { encoding: "utf8" });
  if (out.status !== 0 || !out.stdout.includes("BLAS_INFO=generic")) return null;
  const version = out.stdout.split("\n")[0].trim();
  return `PyTorch ${version} (${python}) was built with BLAS_INFO=generic, as Debian's python3-torch is: its matmul runs on a reference BLAS, so the PyTorch columns measure this build, not PyTorch on MKL or OpenBLAS (NumPy's columns show what an optimised BLAS does on this machine).`;
}

/** Environment that limits BLAS and OpenMP pools to `threads` threads. */
export function threadEnv(threads: number, lib: "numpy" | "torch" = "numpy"): NodeJS.ProcessEnv {
  const n = String(threads);
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
  // NOTE: a core type or cache size forced for one OpenBLAS can make another build fail or mis-tune
  if (lib === "torch") for (const name of ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]) delete env[name];
  return env;
}

/**
 * The argument for PYTHON_SCRIPT: inputs folder, cases, library, system id, threads, and the
 * chunking of timing.ts (`quick`: one case, QUICK_CHUNKS).
 */
export function pythonArgs(inputs: string, lib: "numpy" | "torch", system: string, threads: number, quick = false): string {
  const chunks = { ...CHUNKS, ...(quick ? QUICK_CHUNKS : {}) };
  return JSON.stringify({ inputs, lib, system, threads, cases: quick ? MATMUL_CASES.slice(0, 1) : MATMUL_CASES, chunks });
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

/** Times matmul on each case like timing.ts's measureChunked (warm-up, chunks of short samples). */
export const PYTHON_SCRIPT = String.raw`
import json, os, sys, time
cfg = json.loads(sys.argv[1])
import numpy as np
torch = None
if cfg["lib"] == "torch":
    import torch
    torch.set_num_threads(cfg["threads"])

def median(values):
    return sorted(values)[len(values) // 2]

def measure(fn, chunks, chunk_samples, min_sample, budget, min_chunks):
    calls, start = 0, time.perf_counter()
    while (calls < 2 and time.perf_counter() - start < 1.0) or time.perf_counter() - start < 0.1:
        fn(); calls += 1
    per_call = (time.perf_counter() - start) / calls
    reps = max(1, int(min_sample / max(per_call, 1e-6)) + 1)
    times, start = [], time.perf_counter()
    while len(times) < chunks * chunk_samples and (len(times) < min_chunks * chunk_samples or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        for _ in range(reps): fn()
        times.append((time.perf_counter() - t0) / reps)
    chunk_medians = [median(times[i:i + chunk_samples]) for i in range(0, len(times) - chunk_samples + 1, chunk_samples)]
    return median(times), min(chunk_medians) if chunk_medians else median(times)

ch = cfg["chunks"]
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
    seconds, best = measure(fn, ch["chunks"], ch["chunkSamples"], ch["minSampleMs"] / 1000, ch["budgetMs"] / 1000, ch["minChunks"])
    gflops = lambda s: 2 * m * n * k / s / 1e9
    result = {"system": cfg["system"], "bench": "matmul", "case": c["id"], "value": gflops(seconds), "best": gflops(best), "unit": "GFLOPS"}
    print("RESULT " + json.dumps(result), flush=True)
`;
