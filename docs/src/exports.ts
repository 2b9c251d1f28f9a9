// The public names of the packages, read with the TypeScript compiler from the entries TypeDoc
// documents (api-entries/*.ts): every value export (functions, classes, constants), and the public
// members of class Tensor (`Tensor.add`, static `Tensor.zeros`). The PyTorch table is checked
// against this list.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { DOCS_DIR } from "./paths.js";

/** A public name: its package (`@tg/nn`) and name (`Linear`, `Tensor.matmul`). */
export interface ExportName {
  pkg: string;
  name: string;
  /** The entry that exports it (`@tg/data/node`), the shortest one when several do. */
  entry: string;
  /** What TypeDoc files it under: classes/, functions/, variables/, or a member of class Tensor. */
  kind: "class" | "function" | "variable" | "member";
}

const ENTRIES_DIR = join(DOCS_DIR, "api-entries");

function entryOf(source: ts.SourceFile): { pkg: string; entry: string } {
  const m = /export \* from "((@tg\/[\w-]+)[^"]*)"/.exec(source.text);
  if (!m) throw new Error(`${source.fileName}: expected 'export * from "@tg/..."'`);
  return { pkg: m[2], entry: m[1] };
}

function kindOf(symbol: ts.Symbol): ExportName["kind"] {
  if (symbol.flags & ts.SymbolFlags.Class) return "class";
  if (symbol.flags & ts.SymbolFlags.Function) return "function";
  return "variable";
}

function isPublicMember(symbol: ts.Symbol): boolean {
  const decl = symbol.declarations?.[0];
  if (!decl) return false;
  const flags = ts.getCombinedModifierFlags(decl);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  if (symbol.name.startsWith("_") || symbol.name === "prototype") return false;
  return !ts.getJSDocTags(decl).some((tag) => tag.tagName.text === "internal");
}

/** Every value export of every package entry, and Tensor's public members, sorted and deduplicated. */
export function publicExports(): ExportName[] {
  const files = readdirSync(ENTRIES_DIR).filter((f) => f.endsWith(".ts")).map((f) => join(ENTRIES_DIR, f));
  const config = ts.getParsedCommandLineOfConfigFile(join(DOCS_DIR, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  const program = ts.createProgram(files, config!.options);
  const checker = program.getTypeChecker();
  const names = new Map<string, ExportName>();
  const add = (e: ExportName): void => {
    const key = `${e.pkg} ${e.name}`;
    if (!names.has(key)) names.set(key, e);
  };
  const sources = files.map((f) => program.getSourceFile(f)!);
  sources.sort((a, b) => entryOf(a).entry.length - entryOf(b).entry.length);
  for (const source of sources) {
    const { pkg, entry } = entryOf(source);
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & ts.SymbolFlags.Value)) continue;
      add({ pkg, entry, name: exported.name, kind: kindOf(symbol) });
      if (exported.name !== "Tensor") continue;
      const decl = symbol.valueDeclaration!;
      const staticType = checker.getTypeOfSymbolAtLocation(symbol, decl);
      const instanceType = checker.getDeclaredTypeOfSymbol(symbol);
      for (const type of [staticType, instanceType]) {
        for (const member of checker.getPropertiesOfType(type)) {
          if (isPublicMember(member)) add({ pkg, entry, name: `Tensor.${member.name}`, kind: "member" });
        }
      }
    }
  }
  return [...names.values()].sort((a, b) => (a.pkg + a.name).localeCompare(b.pkg + b.name));
}
