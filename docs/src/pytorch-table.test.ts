// The PyTorch table cannot go stale: every public name of every package has a row, and every row
// names an export that exists. A new export adds its row in pytorch-table.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { publicExports, type ExportName } from "./exports.js";
import { pytorchPage } from "./pytorch-page.js";
import { SECTIONS } from "./pytorch-table.js";

const rows = SECTIONS.flatMap((s) => s.rows);
const key = (pkg: string, name: string): string => `${pkg} ${name}`;

describe("the PyTorch → tg table", () => {
  let exports: ExportName[] = [];
  beforeAll(() => {
    exports = publicExports();
  });

  it("reads the packages' exports, Tensor's members included", () => {
    const names = new Set(exports.map((e) => key(e.pkg, e.name)));
    for (const name of ["@tg/tensor tensor", "@tg/tensor Tensor.matmul", "@tg/tensor Tensor.zeros", "@tg/nn Linear", "@tg/loss crossEntropyLoss", "@tg/optim AdamW", "@tg/data DataLoader", "@tg/data loadFashionMNIST"]) {
      expect(names).toContain(name);
    }
    expect(names).not.toContain("@tg/tensor Tensor.setNode"); // @internal
    expect(names).not.toContain("@tg/tensor Tensor.write"); // private
    expect(names).not.toContain("@tg/tensor DType"); // types are in the API reference, not the table
  });

  it("has a row for every export", () => {
    const inTable = new Set(rows.flatMap(([, pkg, name]) => (name === null ? [] : [key(pkg, name)])));
    const missing = exports.filter((e) => !inTable.has(key(e.pkg, e.name))).map((e) => key(e.pkg, e.name));
    expect(missing, "add a row for each to docs/src/pytorch-table.ts").toEqual([]);
  });

  it("names only exports that exist", () => {
    const exported = new Set(exports.map((e) => key(e.pkg, e.name)));
    const stale = rows.filter(([, pkg, name]) => name !== null && !exported.has(key(pkg, name))).map(([torch, pkg, name]) => `${torch} → ${pkg} ${name}`);
    expect(stale, "remove or fix these rows in docs/src/pytorch-table.ts").toEqual([]);
  });

  it("lists each export once", () => {
    const seen = rows.flatMap(([, pkg, name]) => (name === null ? [] : [key(pkg, name)]));
    expect(seen.filter((k, i) => seen.indexOf(k) !== i)).toEqual([]);
  });

  it("renders a row per entry, with links to the API reference", () => {
    const page = pytorchPage(exports);
    expect(page).toContain("| `F.cross_entropy / nn.CrossEntropyLoss` | [`crossEntropyLoss`](/api/@tg/loss/functions/crossEntropyLoss) |");
    expect(page).toContain("[`Tensor.matmul`](/api/@tg/tensor/classes/Tensor#matmul)");
    expect(page).toContain("[`loadFashionMNIST`](/api/@tg/data/node/functions/loadFashionMNIST)");
    expect(page.split("\n").filter((l) => l.startsWith("| `") || l.startsWith("| —")).length).toBe(rows.length);
  });
});
