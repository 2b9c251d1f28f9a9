// Where things are: the repository root, the site's sources, and the generated folders.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The docs package folder (docs/). */
export const DOCS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository root, against which `code:` links name files. */
export const REPO_ROOT = join(DOCS_DIR, "..");
/** VitePress's source folder. */
export const SITE_DIR = join(DOCS_DIR, "site");
/** Generated pages of source files, one per file a `code:` link names. */
export const SOURCE_PAGES_DIR = join(SITE_DIR, "source");
/** Generated API reference (TypeDoc). */
export const API_DIR = join(SITE_DIR, "api");
/** Rendered graphs, one SVG per `graph` code block, keyed by a hash of its code. */
export const GRAPHS_DIR = join(SITE_DIR, ".vitepress", "graphs");
/** Where code blocks are written out to be type-checked and run. */
export const BLOCKS_DIR = join(DOCS_DIR, ".blocks");
