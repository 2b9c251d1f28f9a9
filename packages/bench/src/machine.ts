// The machine a benchmark ran on: CPU model and cores, Node and V8 versions.

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** What BENCHMARKS.md names about the machine. */
export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  /** CPU features that matter for the kernels (from /proc/cpuinfo flags). */
  features: string[];
}

/** Reads the machine description (Linux /proc/cpuinfo when present). */
export function describeMachine(): Machine {
  let cpu = "unknown CPU";
  let features: string[] = [];
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? cpu;
    const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? "").split(/\s+/));
    features = ["sse4_1", "avx", "avx2", "fma", "avx512f"].filter((f) => flags.has(f));
  } catch {
    // not Linux: the model stays unknown
  }
  return { cpu, cores: availableParallelism(), node: process.version, v8: process.versions.v8, features };
}
