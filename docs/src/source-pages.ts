// Generates a page per source file that a `code:` link names: the file, highlighted, with an
// anchor on every line (`#L42`), so links land on the symbol they name.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { codeToHtml } from "shiki";
import { SOURCE_PAGES_DIR, REPO_ROOT } from "./paths.js";
import { sourceRoute } from "./code-links.js";

/** Renders one source file as the HTML the page shows: a highlighted block, each line with its id. */
export async function renderSource(file: string): Promise<string> {
  const code = readFileSync(join(REPO_ROOT, file), "utf8").replace(/\n$/, "");
  return codeToHtml(code, {
    lang: "ts",
    themes: { light: "github-light", dark: "github-dark" },
    transformers: [
      {
        line(node, line) {
          node.properties.id = `L${line}`;
        },
      },
    ],
  });
}

/** Writes `site/source/<file>.md` for every file in `files` (the folder is emptied first). */
export async function writeSourcePages(files: Iterable<string>): Promise<string[]> {
  rmSync(SOURCE_PAGES_DIR, { recursive: true, force: true });
  const written: string[] = [];
  for (const file of [...new Set(files)].sort()) {
    const html = await renderSource(file);
    const path = join(SOURCE_PAGES_DIR, `${sourceRoute(file).slice("/source/".length)}.md`);
    mkdirSync(dirname(path), { recursive: true });
    const page = [
      "---",
      `title: ${file}`,
      "aside: false",
      "outline: false",
      "prev: false",
      "next: false",
      "---",
      "",
      `# \`${file}\``,
      "",
      "The file as it is in this version of tg; the line a link pointed at is marked.",
      "",
      `<div class="tg-source" v-pre>${html.replace(/\n/g, "&#10;")}</div>`,
      "",
    ].join("\n");
    writeFileSync(path, page);
    written.push(path);
  }
  return written;
}
