// The internal links of a built site: each `<a href>` of each page must name a page that exists
// (as a host serves it: `/a/b`, `/a/b.html`, `/a/`) and, when it has one, an `id` in that page.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolvePath } from "./serve.js";

/** `page: href (why)` for every internal link of `pages` (URL paths under `root`) that does not resolve. */
export function brokenLinks(root: string, pages: readonly string[]): string[] {
  const broken: string[] = [];
  const html = new Map<string, string>();
  const read = (file: string): string => {
    let text = html.get(file);
    if (text === undefined) html.set(file, (text = readFileSync(file, "utf8")));
    return text;
  };
  for (const page of pages) {
    for (const [, href] of read(join(root, page)).matchAll(/<a [^>]*href="([^"]+)"/g)) {
      if (/^(https?:|mailto:|data:)/.test(href)) continue;
      const target = new URL(href.replace(/&amp;/g, "&"), `http://site${page}`);
      const file = resolvePath(root, target.pathname);
      if (file === null) {
        broken.push(`${page}: ${href} (no page)`);
        continue;
      }
      const id = decodeURIComponent(target.hash.slice(1));
      if (id && !read(file).includes(`id="${id}"`)) broken.push(`${page}: ${href} (no #${id})`);
    }
  }
  return broken;
}
