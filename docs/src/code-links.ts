// `code:` links: a page names a symbol and the package (or the file) that declares it,
// `[backward](code:@tg/tensor#backward)` or `[backward](code:packages/tensor/src/autograd/
// engine.ts#backward)`, and the build resolves it to the file and line that declare it now, so a
// link never drifts, a file can move inside its package, and a renamed or deleted symbol fails the
// build.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./paths.js";

/** A `code:` link found in a page. */
export interface CodeLink {
  /** A package (`@tg/tensor`), whose sources are searched, or a file relative to the repository root. */
  file: string;
  /** A top-level name (`sumToShape`) or a member (`Tensor.backward`). */
  symbol: string;
}

/** Lines (1-based, inclusive) a symbol's declaration spans. */
export interface SymbolLines {
  start: number;
  end: number;
}

/** Where a link points: the file (relative to the repository root) and the symbol's lines in it. */
export interface ResolvedLink extends SymbolLines {
  file: string;
}

const LINK = /\]\(code:([^)#\s]+)#([\w$.]+)\)/g;

/** Every `code:` link in a Markdown text, in order. */
export function findCodeLinks(markdown: string): CodeLink[] {
  return [...markdown.matchAll(LINK)].map((m) => ({ file: m[1], symbol: m[2] }));
}

/** Parses `code:file#symbol` into its parts, or returns null for any other link. */
export function parseCodeHref(href: string): CodeLink | null {
  const m = /^code:([^#\s]+)#([\w$.]+)$/.exec(href);
  return m ? { file: m[1], symbol: m[2] } : null;
}

const cache = new Map<string, ts.SourceFile>();
const packageFiles = new Map<string, string[]>();

function sourceFile(file: string, root: string): ts.SourceFile {
  const path = join(root, file);
  let sf = cache.get(path);
  if (!sf) {
    if (!existsSync(path)) throw new Error(`code link: ${file} does not exist`);
    sf = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
    cache.set(path, sf);
  }
  return sf;
}

/** Forgets parsed files, so a long-running dev server sees edits. */
export function clearCodeLinkCache(): void {
  cache.clear();
  packageFiles.clear();
}

/** The non-test `.ts` files of a workspace package's `src/`, relative to the repository root. */
function sourcesOf(pkg: string, repoRoot: string): string[] {
  let files = packageFiles.get(`${repoRoot} ${pkg}`);
  if (files) return files;
  const dirs = ["packages", "apps"].flatMap((group) => {
    const root = join(repoRoot, group);
    return existsSync(root) ? readdirSync(root).map((name) => join(root, name)) : [];
  });
  const dir = dirs.find((d) => {
    const manifest = join(d, "package.json");
    return existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === pkg;
  });
  if (!dir) throw new Error(`code link: no workspace package is named ${pkg}`);
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((entry) => {
      const path = join(d, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
    });
  files = existsSync(join(dir, "src")) ? walk(join(dir, "src")).map((f) => relative(repoRoot, f).replace(/\\/g, "/")).sort() : [];
  packageFiles.set(`${repoRoot} ${pkg}`, files);
  return files;
}

function declaredNames(node: ts.Node): string[] {
  if (ts.isVariableStatement(node)) {
    return node.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  }
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && (ts.isIdentifier(named.name) || ts.isPrivateIdentifier(named.name))) return [named.name.text];
  return [];
}

function findIn(nodes: readonly ts.Node[], name: string): ts.Node | undefined {
  return nodes.find((n) => declaredNames(n).includes(name));
}

/**
 * The lines of `symbol`'s declaration in `file` (its doc comment excluded; `file` relative to
 * `root`, the repository by default). Throws an Error naming the file and the symbol when either is gone.
 */
export function resolveSymbol(file: string, symbol: string, root = REPO_ROOT): SymbolLines {
  const sf = sourceFile(file, root);
  const [outer, member] = symbol.split(".", 2);
  let node = findIn(sf.statements, outer);
  if (node && member !== undefined) {
    const members: readonly ts.Node[] =
      ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) ? node.members : [];
    node = findIn(members, member);
  }
  if (!node) throw new Error(`code link: ${file} declares no ${symbol}`);
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
  return { start, end };
}

/**
 * Resolves a link to the file and lines that declare its symbol. A package link (`@tg/tensor#sumToShape`)
 * searches the package's sources and needs exactly one file to declare the name; a file link names
 * the file itself. Throws an Error naming the link when nothing (or more than one file) matches.
 */
export function resolveLink(link: CodeLink, root = REPO_ROOT): ResolvedLink {
  if (!link.file.startsWith("@")) return { file: link.file, ...resolveSymbol(link.file, link.symbol, root) };
  const found: ResolvedLink[] = [];
  for (const file of sourcesOf(link.file, root)) {
    try {
      found.push({ file, ...resolveSymbol(file, link.symbol, root) });
    } catch {
      // not declared in this file
    }
  }
  if (found.length === 0) throw new Error(`code link: no file of ${link.file} declares ${link.symbol}`);
  if (found.length > 1) {
    throw new Error(`code link: ${link.symbol} is declared in ${found.map((f) => f.file).join(" and ")}; name the file instead of ${link.file}`);
  }
  return found[0];
}

/** The site route of the generated page that shows `file` (`packages/x/src/y.ts` → `/source/packages/x/src/y`). */
export function sourceRoute(file: string): string {
  return `/source/${file.replace(/\.ts$/, "")}`;
}

/** The site link a `code:` link becomes: the source page, anchored on the first line of the symbol. */
export function codeHref(link: CodeLink): string {
  const { file, start } = resolveLink(link);
  return `${sourceRoute(file)}#L${start}`;
}
