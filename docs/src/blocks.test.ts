// Every code block on the site is type-checked and run: TypeScript with tsx against the packages'
// sources, Python with python3 when PyTorch is installed (skipped otherwise).
import { describe, expect, it } from "vitest";
import { allBlocks, extractBlocks } from "./blocks.js";
import { hasTorch, runBlock, typecheckBlocks, writeBlocks, type WrittenBlock } from "./run-blocks.js";

const written = writeBlocks(allBlocks());
const pages = [...new Set(written.map((w) => w.block.page))];

describe("code blocks", () => {
  it("are extracted with their language, flags and line", () => {
    const blocks = extractBlocks("x.md", "text\n\n```ts graph\nconst a = 1;\n```\n\n````python\nprint(1)\n````\n");
    expect(blocks).toEqual([
      { page: "x.md", line: 3, lang: "ts", flags: ["graph"], code: "const a = 1;\n" },
      { page: "x.md", line: 7, lang: "python", flags: [], code: "print(1)\n" },
    ]);
    expect(() => extractBlocks("y.md", "```ts\nopen")).toThrow("y.md:1: code block is not closed");
  });

  it("are many: every guide and learn page has some", () => {
    expect(written.filter((w) => w.block.lang === "ts").length).toBeGreaterThan(30);
    for (const page of ["guide/first-model.md", "learn/backprop.md", "learn/fashion-mnist.md"]) expect(pages).toContain(page);
  });

  it("type-check", async () => {
    expect(await typecheckBlocks(written)).toBe("");
  });

  describe.each(pages)("%s", (page) => {
    it("runs every block, in order, in one folder", async () => {
      const torch = await hasTorch();
      for (const w of written.filter((b: WrittenBlock) => b.block.page === page)) {
        const result = await runBlock(w);
        if (w.block.lang === "python" && !torch) continue;
        expect(result.status, result.error).toBe("passed");
      }
    });
  });
});
