// The report's charts as vega-lite specs, rendered to SVG headless (vega's "none" renderer, no
// canvas): loss per step, gradient flow per block, attention maps per head, samples per checkpoint.

import * as vega from "vega";
import * as vegaLite from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { EvalPoint, GradientFlow, StepRecord } from "./metrics.js";

/** Most points drawn per line; longer runs are averaged in windows. */
export const MAX_POINTS = 400;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { background: "white", font: "Helvetica, Arial, sans-serif", view: { stroke: null } } as const;

/** Renders a vega-lite spec to an SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Averages `values` over consecutive windows so at most `points` remain; x is the window's middle step (1-based). */
export function downsample(values: readonly number[], points: number): { step: number; value: number }[] {
  const window = Math.max(1, Math.ceil(values.length / points));
  const out: { step: number; value: number }[] = [];
  for (let start = 0; start < values.length; start += window) {
    const end = Math.min(values.length, start + window);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    out.push({ step: (start + end + 1) / 2, value: sum / (end - start) });
  }
  return out;
}

/** Training loss per step (averaged in windows) and validation loss at each evaluation. */
export function lossSpec(steps: readonly StepRecord[], evals: readonly EvalPoint[]): TopLevelSpec {
  const values = [
    ...downsample(steps.map((s) => s.loss), MAX_POINTS).map((p) => ({ step: p.step, loss: p.value, split: "train (per step)" })),
    ...evals.map((e) => ({ step: e.step, loss: e.valLoss, split: "validation" })),
  ];
  return {
    $schema: SCHEMA,
    title: { text: "Loss", subtitle: "cross-entropy of the next character (nats)" },
    config: CONFIG,
    width: 560,
    height: 280,
    data: { values },
    mark: { type: "line", point: { filled: true, size: 20 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "training step" },
      y: { field: "loss", type: "quantitative", title: "loss", scale: { zero: false } },
      color: { field: "split", type: "nominal", title: null, legend: { orient: "top-right" } },
    },
  };
}

/** Gradient flow: mean |grad| of each block's parameters per step, one line per block, log y. */
export function gradientFlowSpec(flow: GradientFlow): TopLevelSpec {
  const values = flow.groups.flatMap((group, k) =>
    downsample(flow.values[k], MAX_POINTS)
      .filter((p) => p.value > 0)
      .map((p) => ({ group, step: p.step, value: p.value })),
  );
  return {
    $schema: SCHEMA,
    title: { text: "Gradient flow", subtitle: "mean |gradient| of each block's parameters per step" },
    config: CONFIG,
    width: 560,
    height: 280,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: "step", type: "quantitative", title: "training step" },
      y: { field: "value", type: "quantitative", title: "mean |grad|", scale: { type: "log" } },
      color: { field: "group", type: "nominal", title: "parameters", sort: flow.groups, legend: { orient: "bottom", direction: "horizontal" } },
    },
  };
}

/** One heat map per head: how much each character (row) attends to each earlier one (column). */
export function attentionSpec(maps: readonly number[][][], chars: readonly string[], layer: number): TopLevelSpec {
  const label = (c: string, i: number) => `${String(i).padStart(2, "0")} ${c === "\n" ? "↵" : c === " " ? "␣" : c}`;
  const labels = chars.map(label);
  const values = maps.flatMap((map, head) =>
    map.flatMap((row, q) => row.map((weight, k) => ({ head: `head ${head}`, query: labels[q], key: labels[k], weight }))),
  );
  return {
    $schema: SCHEMA,
    title: { text: `Attention of block ${layer}`, subtitle: "each row: how one character's query spreads over the characters before it" },
    config: { ...CONFIG, axis: { labelFontSize: 8, labelExpr: "substring(datum.label, 3)" } },
    data: { values },
    facet: { field: "head", type: "nominal", title: null },
    columns: 2,
    spec: {
      width: 260,
      height: 260,
      mark: "rect",
      encoding: {
        x: { field: "key", type: "ordinal", sort: labels, title: "key (earlier character)" },
        y: { field: "query", type: "ordinal", sort: labels, title: "query" },
        color: { field: "weight", type: "quantitative", scale: { scheme: "blues", domain: [0, 1] }, title: "weight" },
      },
    },
  };
}

/** The samples generated at each evaluation, one line of text per checkpoint (newlines as ↵). */
export function samplesSpec(evals: readonly EvalPoint[], characters = 100): TopLevelSpec {
  const values = evals.map((e, i) => ({
    row: i,
    label: `step ${e.step} (val ${e.valLoss.toFixed(2)})`,
    text: e.sample.slice(0, characters).replace(/\n/g, "↵").replace(/\t/g, " "),
  }));
  return {
    $schema: SCHEMA,
    title: { text: "Samples during training", subtitle: `the first ${characters} characters generated after a newline (temperature 0.8)` },
    config: CONFIG,
    width: 760,
    height: 22 * Math.max(1, values.length),
    data: { values },
    encoding: { y: { field: "row", type: "ordinal", axis: null } },
    layer: [
      { mark: { type: "text", align: "left", x: 0, fontWeight: "bold", fontSize: 11 }, encoding: { text: { field: "label" } } },
      { mark: { type: "text", align: "left", x: 140, font: "Courier, monospace", fontSize: 11 }, encoding: { text: { field: "text" } } },
    ],
  };
}
