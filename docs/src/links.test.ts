import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { brokenLinks } from "./links.js";
import { resolvePath } from "./serve.js";

const root = mkdtempSync(join(tmpdir(), "tg-site-"));
mkdirSync(join(root, "guide"));
writeFileSync(join(root, "index.html"), '<a href="/guide/install">ok</a> <a class="x" href="./guide/install.html#node">ok</a>');
writeFileSync(join(root, "guide", "install.html"), '<h2 id="node">Node</h2><a href="../index.html">ok</a> <a href="https://nodejs.org">out</a>');
writeFileSync(join(root, "guide", "bad.html"), '<a href="/guide/nope">x</a> <a href="install#browsers">y</a> <a href="/api/">z</a>');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the built site's links", () => {
  it("map URL paths to files as a host does", () => {
    expect(resolvePath(root, "/guide/install")).toBe(join(root, "guide", "install.html"));
    expect(resolvePath(root, "/guide/install.html")).toBe(join(root, "guide", "install.html"));
    expect(resolvePath(root, "/")).toBe(join(root, "index.html"));
    expect(resolvePath(root, "/guide/")).toBeNull();
    expect(resolvePath(root, "/../../etc/passwd")).toBeNull();
  });

  it("pass when every page and anchor exists", () => {
    expect(brokenLinks(root, ["/index.html", "/guide/install.html"])).toEqual([]);
  });

  it("name the page, the link and what is missing", () => {
    expect(brokenLinks(root, ["/guide/bad.html"])).toEqual([
      "/guide/bad.html: /guide/nope (no page)",
      "/guide/bad.html: install#browsers (no #browsers)",
      "/guide/bad.html: /api/ (no page)",
    ]);
  });
});
