/// <reference types="node" />
// The kernels folder keeps its rule (CONTRIBUTING.md): no import cycle inside it, WebAssembly only
// under kernels/wasm/, the backend chosen only in kernels/*.ts; and no source file of the package
// over 400 lines.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const kernels = dirname(fileURLToPath(import.meta.url));
const source = resolve(kernels, "..");

/** Every .ts file under `dir`, as absolute paths. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const isTest = (path: string): boolean => path.endsWith(".test.ts");

/** The files `path` imports or re-exports from (type-only imports included), as absolute paths. */
function localImports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const specifiers = [...text.matchAll(/^(?:import|export)\b(?:[^;"]*?\bfrom)?\s*"(\.[^"]+)"/gm)].map((match) => match[1]);
  return specifiers.map((specifier) => resolve(dirname(path), specifier.replace(/\.js$/, ".ts")));
}

/** An import cycle among `files` (each file's path, in order, the first repeated at the end), or null. */
function findCycle(files: readonly string[], importsOf: (path: string) => string[]): string[] | null {
  const inside = new Set(files);
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === "done") return null;
    if (state.get(file) === "open") return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, "open");
    stack.push(file);
    for (const next of importsOf(file).filter((f) => inside.has(f))) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, "done");
    return null;
  };
  for (const file of files) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

describe("the kernels folder", () => {
  const files = tsFiles(kernels).filter((path) => !isTest(path));

  it("has no import cycle", () => {
    const cycle = findCycle(files, localImports);
    expect(cycle?.map((path) => relative(kernels, path)).join(" → ") ?? null).toBeNull();
  });

  it("finds a cycle when there is one", () => {
    const graph: Record<string, string[]> = { a: ["b"], b: ["c"], c: ["a"], d: [] };
    expect(findCycle(Object.keys(graph), (f) => graph[f])).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(["d"], (f) => graph[f])).toBeNull();
  });

  it("is the only place that uses WebAssembly, in kernels/wasm/", () => {
    const wasm = join(kernels, "wasm");
    const outside = tsFiles(source).filter((path) => !path.startsWith(wasm) && /\bWebAssembly\./.test(readFileSync(path, "utf8")));
    expect(outside.map((path) => relative(source, path))).toEqual([]);
  });

  it("is the only place that chooses a backend, in its top-level files", () => {
    const choosers = tsFiles(source).filter((path) => !isTest(path) && /\baccelerator\(\)/.test(readFileSync(path, "utf8")));
    const elsewhere = choosers.filter((path) => dirname(path) !== kernels);
    expect(elsewhere.map((path) => relative(source, path))).toEqual([]);
    expect(choosers.length).toBeGreaterThan(0);
  });

  it("sits in a package with no source file over 400 lines", () => {
    const long = tsFiles(source).filter((path) => readFileSync(path, "utf8").split("\n").length > 401);
    expect(long.map((path) => relative(source, path))).toEqual([]);
  });
});
