import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Machine } from "./machine.js";
import { cell, loadNodeLines, nodeLinesMarkdown, saveNodeLine } from "./node-lines.js";
import type { Result } from "./results.js";

const machine = (node: string): Machine => ({ cpu: "Test CPU", cores: 2, features: [], node, v8: "1.2.3" });
const sq512 = (system: string, value: number, best: number): Result => ({ system, bench: "matmul", case: "sq512", value, best, unit: "GFLOPS" });

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("cell", () => {
  it("shows median / best chunk, the median alone, or a dash", () => {
    expect(cell(sq512("tg-wasm-1", 22.04, 41.26))).toBe("22.0 / 41.3");
    expect(cell({ system: "tg", bench: "mlp-infer", case: "1", value: 0.1234, unit: "ms" }, 3)).toBe("0.123");
    expect(cell({ system: "tg", bench: "mlp-infer", case: "1", value: null, unit: "ms" })).toBe("–");
    expect(cell(undefined)).toBe("–");
  });
});

describe("Node lines", () => {
  it("keeps each line's latest run and puts Node 20 and Node 24 side by side", () => {
    dir = mkdtempSync(join(tmpdir(), "tg-node-lines-"));
    saveNodeLine(dir, machine("v20.20.2"), [sq512("tg-wasm-1", 1, 2)]);
    saveNodeLine(dir, machine("v20.20.2"), [sq512("tg-wasm-1", 30, 33)]);
    saveNodeLine(dir, machine("v24.11.0"), [sq512("tg-wasm-1", 40, 45)]);
    const runs = loadNodeLines(dir);
    expect([...runs.keys()].sort()).toEqual(["20", "24"]);
    const row = nodeLinesMarkdown(runs).find((line) => line.startsWith("| matmul 512³"));
    expect(row?.split(" | ").slice(1, 3)).toEqual(["30.0 / 33.0", "40.0 / 45.0"]);
    // the "tg" columns hold training figures only: a matmul row shows a dash there, never a blank
    expect(row?.split(" | ").slice(5, 7)).toEqual(["–", "–"]);
  });

  it("says how to measure a line that has no run yet", () => {
    dir = mkdtempSync(join(tmpdir(), "tg-node-lines-"));
    saveNodeLine(dir, machine("v20.20.2"), [sq512("tg-wasm-1", 30, 33)]);
    const markdown = nodeLinesMarkdown(loadNodeLines(dir)).join("\n");
    expect(markdown).toContain("- Node 20: v20.20.2 (V8 1.2.3) on Test CPU, 2 cores.");
    expect(markdown).toContain("- Node 24: not measured yet. On a quiet machine run `pnpm bench --node");
  });
});
