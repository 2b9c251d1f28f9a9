import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { handWrittenPages } from "./blocks.js";
import { codeHref, findCodeLinks, parseCodeHref, resolveLink, resolveSymbol } from "./code-links.js";
import { SITE_DIR } from "./paths.js";

describe("code: links", () => {
  const links = handWrittenPages().flatMap((page) =>
    findCodeLinks(readFileSync(join(SITE_DIR, page), "utf8")).map((link) => ({ page, ...link })),
  );

  it("are used by the lessons", () => {
    expect(links.length).toBeGreaterThan(40);
  });

  it.each(links.map((l) => [`${l.page} → ${l.file}#${l.symbol}`, l] as const))("%s resolves", (_, link) => {
    const lines = resolveLink(link);
    const source = readFileSync(join(SITE_DIR, "..", "..", lines.file), "utf8").split("\n");
    const name = link.symbol.split(".").pop()!;
    // the anchored line is the declaration: it contains the name
    expect(source[lines.start - 1]).toContain(name);
  });

  it("resolve functions, constants, classes and members to their declaration's first line", () => {
    const file = "packages/tensor/src/autograd/gradients.ts";
    const source = readFileSync(join(SITE_DIR, "..", "..", file), "utf8").split("\n");
    const { start } = resolveSymbol(file, "sumToShape");
    expect(source[start - 1]).toMatch(/^export function sumToShape\(/);
    const member = resolveSymbol("packages/tensor/src/tensor.ts", "Tensor.backward");
    expect(readFileSync(join(SITE_DIR, "..", "..", "packages/tensor/src/tensor.ts"), "utf8").split("\n")[member.start - 1]).toMatch(/^\s+backward\(/);
    expect(codeHref({ file, symbol: "sumToShape" })).toBe(`/source/packages/tensor/src/autograd/gradients#L${start}`);
  });

  it("name a package and find the one file that declares the symbol, wherever it moved", () => {
    expect(resolveLink({ file: "@tg/tensor", symbol: "sumToShape" })).toEqual({
      file: "packages/tensor/src/autograd/gradients.ts",
      ...resolveSymbol("packages/tensor/src/autograd/gradients.ts", "sumToShape"),
    });
    expect(resolveLink({ file: "@tg/tensor", symbol: "Tensor.backward" }).file).toBe("packages/tensor/src/tensor.ts");
    expect(codeHref({ file: "@tg/loss", symbol: "crossEntropyLoss" })).toMatch(/^\/source\/packages\/loss\/src\/cross-entropy#L\d+$/);
  });

  it("fail, naming the link, when a package link finds no file, several files or no package", () => {
    expect(() => resolveLink({ file: "@tg/tensor", symbol: "noSuchFunction" })).toThrow("code link: no file of @tg/tensor declares noSuchFunction");
    expect(() => resolveLink({ file: "@tg/nope", symbol: "x" })).toThrow("code link: no workspace package is named @tg/nope");
    const root = mkdtempSync(join(tmpdir(), "tg-links-"));
    try {
      mkdirSync(join(root, "packages", "a", "src", "kernels"), { recursive: true });
      writeFileSync(join(root, "packages", "a", "package.json"), JSON.stringify({ name: "@x/a" }));
      writeFileSync(join(root, "packages", "a", "src", "ops.ts"), "export function scale() {}\nexport function shift() {}\n");
      writeFileSync(join(root, "packages", "a", "src", "kernels", "scale.ts"), "\nexport const scale = 1;\n");
      writeFileSync(join(root, "packages", "a", "src", "ops.test.ts"), "export function shift() {}\n");
      expect(resolveLink({ file: "@x/a", symbol: "shift" }, root)).toEqual({ file: "packages/a/src/ops.ts", start: 2, end: 2 });
      expect(() => resolveLink({ file: "@x/a", symbol: "scale" }, root)).toThrow(
        "code link: scale is declared in packages/a/src/kernels/scale.ts and packages/a/src/ops.ts; name the file instead of @x/a",
      );
      expect(resolveLink({ file: "packages/a/src/kernels/scale.ts", symbol: "scale" }, root)).toEqual({ file: "packages/a/src/kernels/scale.ts", start: 2, end: 2 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("fail, naming file and symbol, when the symbol or file is gone", () => {
    expect(() => resolveSymbol("packages/tensor/src/autograd/engine.ts", "noSuchFunction")).toThrow(
      "code link: packages/tensor/src/autograd/engine.ts declares no noSuchFunction",
    );
    expect(() => resolveSymbol("packages/tensor/src/tensor.ts", "Tensor.noSuchMethod")).toThrow("declares no Tensor.noSuchMethod");
    expect(() => resolveSymbol("packages/nope.ts", "x")).toThrow("code link: packages/nope.ts does not exist");
  });

  it("are told apart from other links", () => {
    expect(parseCodeHref("code:packages/a.ts#Foo.bar")).toEqual({ file: "packages/a.ts", symbol: "Foo.bar" });
    expect(parseCodeHref("code:@tg/nn#Linear")).toEqual({ file: "@tg/nn", symbol: "Linear" });
    expect(parseCodeHref("/guide/install")).toBeNull();
    expect(findCodeLinks("see [x](code:a/b.ts#c) and [y](https://e.com)")).toEqual([{ file: "a/b.ts", symbol: "c" }]);
  });
});
