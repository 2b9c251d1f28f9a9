import { describe, expect, it } from "vitest";
import type { Machine } from "./machine.js";
import { replaceBenchSection, summaryMarkdown } from "./report.js";

const machine: Machine = { cpu: "Test CPU", cores: 2, features: [], node: "v24.0.0", v8: "1.2.3" };

describe("summaryMarkdown", () => {
  it("names the machine and puts each caveat beside the tables, before the pointer to BENCHMARKS.md", () => {
    const text = summaryMarkdown(machine, [], ["PyTorch here runs on a generic BLAS."]);
    expect(text).toContain("on Test CPU, 2 cores, Node v24.0.0");
    expect(text).toMatch(/- PyTorch here runs on a generic BLAS\.\n\nNotes, targets and where the time goes/);
    expect(summaryMarkdown(machine, [])).not.toContain("generic BLAS");
  });

  it("replaces only the text between the README's bench markers", () => {
    const readme = "intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\noutro\n";
    expect(replaceBenchSection(readme, "new")).toBe("intro\n<!-- bench:start -->\n\nnew\n\n<!-- bench:end -->\noutro\n");
  });
});
