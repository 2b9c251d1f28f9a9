// `code:` links: a page names a file and a symbol in it, `[backward](code:packages/tensor/src/
// autograd/engine.ts#backward)`, and the build resolves the symbol to its current line, so a link
// never drifts and a renamed or deleted symbol fails the build.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./paths.js";

/** A `code:` link found in a page. */
export interface CodeLink {
  /** The file, relative to the repository root. */
  file: string;
  /** A top-level name (`sumToShape`) or a member (`Tensor.backward`). */
  symbol: string;
}

/** Lines (1-based, inclusive) a symbol's declaration spans. */
export interface SymbolLines {
  start: number;
  end: number;
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

function sourceFile(file: string): ts.SourceFile {
  const path = join(REPO_ROOT, file);
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
 * The lines of `symbol`'s declaration in `file` (its doc comment excluded). Throws an Error
 * naming the file and the symbol when either is gone.
 */
export function resolveSymbol(file: string, symbol: string): SymbolLines {
  const sf = sourceFile(file);
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

/** The site route of the generated page that shows `file` (`packages/x/src/y.ts` → `/source/packages/x/src/y`). */
export function sourceRoute(file: string): string {
  return `/source/${file.replace(/\.ts$/, "")}`;
}

/** The site link a `code:` link becomes: the source page, anchored on the first line of the symbol. */
export function codeHref(link: CodeLink): string {
  const { start } = resolveSymbol(link.file, link.symbol);
  return `${sourceRoute(link.file)}#L${start}`;
}
