// Every export of every package (and every public member of an exported class or interface) has
// a doc comment: TypeDoc's notDocumented validation, with warnings as errors (typedoc.json).
// Every entry point of every published package is documented: an api-entries/ file re-exports it
// and typedoc.json lists that file.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DOCS_DIR, REPO_ROOT } from "./paths.js";

const run = promisify(execFile);

/** `@tg/tensor`, `@tg/tensor/testing`, ...: each `exports` subpath of each package that is published. */
function publishedEntries(): string[] {
  const root = join(REPO_ROOT, "packages");
  return readdirSync(root).flatMap((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
      name: string;
      private?: boolean;
      exports?: Record<string, unknown>;
    };
    if (manifest.private) return [];
    return Object.keys(manifest.exports ?? { ".": null })
      .filter((subpath) => !subpath.endsWith(".json"))
      .map((subpath) => manifest.name + subpath.slice(1));
  });
}

describe("the API reference", () => {
  it("covers every entry point of every published package", () => {
    const entriesDir = join(DOCS_DIR, "api-entries");
    const reexported = readdirSync(entriesDir).map((file) => {
      const m = /export \* from "([^"]+)"/.exec(readFileSync(join(entriesDir, file), "utf8"));
      return { file: `api-entries/${file}`, entry: m?.[1] };
    });
    const typedoc = JSON.parse(readFileSync(join(DOCS_DIR, "typedoc.json"), "utf8")) as { entryPoints: string[] };
    expect(publishedEntries().length).toBeGreaterThanOrEqual(6);
    expect(
      publishedEntries().filter((entry) => !reexported.some((r) => r.entry === entry)),
      "add docs/api-entries/<name>.ts (`export * from \"<entry>\"`) and list it in docs/typedoc.json",
    ).toEqual([]);
    expect([...typedoc.entryPoints].sort()).toEqual(reexported.map((r) => r.file).sort());
  });

  it("documents every export: TypeDoc reports no undocumented name", async () => {
    const out = mkdtempSync(join(tmpdir(), "tg-api-"));
    try {
      const result = await run(join(DOCS_DIR, "node_modules", ".bin", "typedoc"), ["--out", out], {
        cwd: DOCS_DIR,
        env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
      }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? "", stderr: error.stderr ?? "", failed: true }));
      const output = `${result.stdout}${result.stderr}`;
      const undocumented = output.split("\n").filter((line) => line.includes("does not have any documentation"));
      expect(undocumented, "add a /** doc comment */ to each of these").toEqual([]);
      expect(output).not.toMatch(/\[(warning|error)\]/);
      expect("failed" in result).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
