// Every export of every package (and every public member of an exported class or interface) has
// a doc comment: TypeDoc's notDocumented validation, with warnings as errors (typedoc.json).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DOCS_DIR } from "./paths.js";

const run = promisify(execFile);

describe("the API reference", () => {
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
