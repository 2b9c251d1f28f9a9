// VitePress configuration: navigation, local search, and two Markdown extensions —
// `code:` links resolved to source lines (code-links.ts) and `graph` code blocks followed by their
// rendered SVG (graphs.ts). scripts/prepare.ts generates what they read.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type DefaultTheme } from "vitepress";
import { clearCodeLinkCache, parseCodeHref, resolveLink, sourceRoute } from "../../src/code-links.js";
import { readGraph } from "../../src/graphs.js";
import { API_DIR } from "../../src/paths.js";

type MarkdownIt = Parameters<NonNullable<NonNullable<Parameters<typeof defineConfig>[0]["markdown"]>["config"]>>[0];

function apiSidebar(): DefaultTheme.SidebarItem[] {
  const path = join(API_DIR, "typedoc-sidebar.json");
  if (!existsSync(path)) return [];
  return JSON.parse(readFileSync(path, "utf8")) as DefaultTheme.SidebarItem[];
}

function tgMarkdown(md: MarkdownIt): void {
  clearCodeLinkCache();
  // markdown-it would read `code:@tg/x` as a URL with a user name and drop the `@`
  const normalizeLink = md.normalizeLink.bind(md);
  md.normalizeLink = (url) => (url.startsWith("code:") ? url : normalizeLink(url));
  // `[text](code:@tg/x#symbol)` or `[text](code:packages/x/src/y.ts#symbol)` → the source page of
  // the file that declares the symbol, at its first line; the title names file and line
  md.core.ruler.after("inline", "tg-code-links", (state) => {
    for (const token of state.tokens) {
      for (const child of token.children ?? []) {
        if (child.type !== "link_open") continue;
        const link = parseCodeHref(child.attrGet("href") ?? "");
        if (!link) continue;
        const page = state.env?.relativePath ?? "a page";
        try {
          const { file, start } = resolveLink(link);
          child.attrSet("href", `${sourceRoute(file)}#L${start}`);
          child.attrSet("title", `${file}:${start}`);
        } catch (error) {
          throw new Error(`${page}: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  });
  // a ```ts graph block shows its code, then the graph it prints
  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const html = fence(tokens, idx, options, env, self);
    const token = tokens[idx];
    if (!token.info.split(/\s+/).includes("graph")) return html;
    const where = `${env?.relativePath ?? "page"}:${(token.map?.[0] ?? 0) + 1}`;
    return `${html}<figure class="tg-graph" v-pre>${readGraph(token.content, where)}</figure>`;
  };
}

export default defineConfig({
  title: "tg",
  description: "A deep-learning framework written from scratch in TypeScript, and how it works inside",
  cleanUrls: false,
  lastUpdated: false,
  ignoreDeadLinks: false,
  srcExclude: ["**/README.md"],
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  markdown: { config: tgMarkdown },
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/install" },
      { text: "Learn", link: "/learn/" },
      { text: "PyTorch → tg", link: "/reference/pytorch" },
      { text: "API", link: "/api/" },
    ],
    search: { provider: "local" },
    outline: [2, 3],
    sidebar: {
      "/guide/": [
        {
          text: "Guide",
          items: [
            { text: "Install", link: "/guide/install" },
            { text: "A first model", link: "/guide/first-model" },
            { text: "The training loop", link: "/guide/training-loop" },
            { text: "Datasets and loaders", link: "/guide/data" },
            { text: "Saving and loading", link: "/guide/checkpoints" },
            { text: "To PyTorch and back", link: "/guide/pytorch-interop" },
            { text: "Speed", link: "/guide/speed" },
            { text: "FAQ", link: "/guide/faq" },
          ],
        },
      ],
      "/learn/": [
        {
          text: "Learn",
          items: [
            { text: "Overview", link: "/learn/" },
            { text: "1. Computation graphs", link: "/learn/computation-graph" },
            { text: "2. Efficient backprop", link: "/learn/backprop" },
            { text: "3. Inside the layers", link: "/learn/layers" },
            { text: "4. Numerical stability", link: "/learn/numerical-stability" },
            { text: "5. API design", link: "/learn/api-design" },
            { text: "6. Broadcasting and reshaping", link: "/learn/broadcasting" },
            { text: "7. Optimizers", link: "/learn/optimizers" },
            { text: "Fashion-MNIST, end to end", link: "/learn/fashion-mnist" },
          ],
        },
      ],
      "/reference/": [{ text: "Reference", items: [{ text: "PyTorch → tg", link: "/reference/pytorch" }, { text: "API", link: "/api/" }] }],
      "/api/": [{ text: "API reference", items: apiSidebar() }],
    },
    footer: { message: "tg is MIT licensed. Every code block on this site is type-checked and run in CI." },
  },
});
