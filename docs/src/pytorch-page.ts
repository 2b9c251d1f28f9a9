// Writes site/reference/pytorch.md from the table in pytorch-table.ts, linking each tg name to its
// API reference page.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ExportName } from "./exports.js";
import { SECTIONS, type Row } from "./pytorch-table.js";
import { SITE_DIR } from "./paths.js";

/** The generated page, relative to the site folder. */
export const PYTORCH_PAGE = "reference/pytorch.md";

/** The API reference route of an export, as typedoc-plugin-markdown lays the pages out. */
export function apiRoute(e: ExportName): string {
  const base = `/api/${e.entry}`;
  if (e.kind === "member") return `${base}/classes/Tensor#${e.name.slice("Tensor.".length).replace(/_$/, "").toLowerCase()}`;
  const folder = { class: "classes", function: "functions", variable: "variables" }[e.kind];
  return `${base}/${folder}/${e.name}`;
}

const MATCH_TEXT: Record<Row[3], string> = {
  same: "same",
  differs: "differs",
  "tg only": "tg only",
  missing: "**missing**",
};

/** The page's Markdown. */
export function pytorchPage(exports: ExportName[]): string {
  const byKey = new Map(exports.map((e) => [`${e.pkg} ${e.name}`, e]));
  const out = [
    "# PyTorch → tg",
    "",
    "Every public name of tg beside its PyTorch counterpart. *same* means the same meaning under a",
    "camelCase name; *differs* says how; *tg only* has no PyTorch equivalent; **missing** is PyTorch",
    "that tg does not have yet. The table is checked against the packages' exports on every CI run,",
    "so a name here exists, and every exported name is here.",
    "",
    "Two differences hold everywhere: JavaScript has no operator overloading (`a.add(b)` for `a + b`)",
    "and no keyword arguments (options objects: `{ keepdim: true }`), and a module's forward is called",
    "as `model.forward(x)`.",
  ];
  for (const section of SECTIONS) {
    out.push("", `## ${section.title}`, "", "| PyTorch | tg | package | match | notes |", "|---|---|---|---|---|");
    for (const [torch, pkg, name, match, note] of section.rows) {
      const e = name === null ? undefined : byKey.get(`${pkg} ${name}`);
      const tg = name === null ? "—" : e ? `[\`${name}\`](${apiRoute(e)})` : `\`${name}\``;
      const torchCell = torch === "—" ? "—" : `\`${torch}\``;
      out.push(`| ${torchCell} | ${tg} | ${pkg} | ${MATCH_TEXT[match]} | ${(note ?? "").replace(/\|/g, "\\|")} |`);
    }
  }
  return out.join("\n") + "\n";
}

/** Writes the page. */
export function writePytorchPage(exports: ExportName[]): void {
  const file = join(SITE_DIR, PYTORCH_PAGE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, pytorchPage(exports));
}
