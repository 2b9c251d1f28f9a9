import { describe, expect, it } from "vitest";
import { tensor, toDot } from "./index.js";

describe("toDot", () => {
  it("draws tensors as boxes and ops as ellipses, inputs to op to output", () => {
    const x = tensor([[1, 2, 3]]);
    const w = tensor([[1], [2], [3]], { requiresGrad: true });
    const y = x.matmul(w);
    const loss = y.relu().sum();
    const dot = toDot(loss, { names: { x, w, loss } });
    expect(dot.startsWith("digraph tg {\n")).toBe(true);
    expect(dot.endsWith("}\n")).toBe(true);
    expect(dot).toContain('t0 [label="loss\\n[] float32", shape=box];');
    expect(dot).toContain('[label="w\\n[3,1] float32", shape=box, style=filled, fillcolor="#dbeafe"]');
    expect(dot).toContain('[label="x\\n[1,3] float32", shape=box];');
    for (const op of ["sum", "relu", "matmul"]) expect(dot).toContain(`[label="${op}", shape=ellipse]`);
    // three ops, each with one edge out; matmul has two inputs, relu and sum one
    expect(dot.match(/_op -> /g)?.length).toBe(3);
    expect(dot.match(/ -> t\d+_op;/g)?.length).toBe(4);
  });

  it("lists a tensor used twice once, with an edge per use", () => {
    const a = tensor([1, 2], { requiresGrad: true, dtype: "float64" });
    const dot = toDot(a.mul(a));
    expect(dot.match(/shape=box/g)?.length).toBe(2);
    expect(dot).toContain("[2] float64");
    expect(dot.match(/t1 -> t0_op;/g)?.length).toBe(2);
  });

  it("draws a leaf alone, and a graph cut by detach() stops there", () => {
    const a = tensor([1], { requiresGrad: true });
    expect(toDot(a)).not.toContain("ellipse");
    const b = a.exp().detach().mul(a);
    const dot = toDot(b);
    expect(dot).toContain('label="mul"');
    expect(dot).not.toContain('label="exp"');
  });

  it("escapes quotes in names and honours rankdir", () => {
    const a = tensor([1]);
    const dot = toDot(a, { names: { 'say "hi"': a }, rankdir: "TB" });
    expect(dot).toContain('label="say \\"hi\\"\\n[1] float32"');
    expect(dot).toContain("rankdir=TB");
  });

  it("walks a long chain without overflowing the stack", () => {
    let t = tensor([1], { requiresGrad: true });
    for (let i = 0; i < 12000; i++) t = t.add(1);
    expect(toDot(t).match(/label="add"/g)?.length).toBe(12000);
  });
});
