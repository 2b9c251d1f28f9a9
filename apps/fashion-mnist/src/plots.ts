// The report's four charts as vega-lite specs, rendered to SVG headless (vega's "none" renderer,
// no canvas): gradient flow, training curves, prediction showcase, confusion matrix.

import * as vega from "vega";
import * as vegaLite from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import type { EpochMetrics, GradientFlow } from "./metrics.js";
import { CORRECT_RGB, MISTAKE_RGB, imagePng, pngDataUrl, type ShowcaseSample } from "./pixels.js";

/** Most points drawn per layer in the gradient-flow chart; longer runs are averaged in windows. */
export const GRADIENT_FLOW_POINTS = 400;

const FONT = "Helvetica, Arial, sans-serif";
const BASE_CONFIG = { background: "white", font: FONT, view: { stroke: null } } as const;
const rgb = ([r, g, b]: readonly number[]): string => `rgb(${r},${g},${b})`;

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

/** Gradient flow: mean |grad| of each layer's weight over the training steps, one line per layer, log y. */
export function gradientFlowSpec(flow: GradientFlow): TopLevelSpec {
  const values = flow.layers.flatMap((layer, k) =>
    downsample(flow.values[k], GRADIENT_FLOW_POINTS)
      .filter((p) => p.value > 0)
      .map((p) => ({ layer, step: p.step, value: p.value })),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Gradient flow", subtitle: "mean |gradient| of each layer's weights per step" },
    config: BASE_CONFIG,
    width: 560,
    height: 280,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5, clip: true },
    encoding: {
      x: { field: "step", type: "quantitative", title: "training step" },
      y: { field: "value", type: "quantitative", title: "mean |grad|", scale: { type: "log" } },
      color: { field: "layer", type: "nominal", title: "layer", sort: flow.layers, legend: { labelLimit: 400, orient: "bottom", direction: "vertical" } },
    },
  };
}

/** Training curves: train/test loss and train/test accuracy per epoch, side by side. */
export function trainingCurvesSpec(epochs: readonly EpochMetrics[]): TopLevelSpec {
  const long = (key: "Loss" | "Accuracy") =>
    epochs.flatMap((e) => [
      { epoch: e.epoch, split: "train", value: key === "Loss" ? e.trainLoss : e.trainAccuracy },
      { epoch: e.epoch, split: "test", value: key === "Loss" ? e.testLoss : e.testAccuracy },
    ]);
  const panel = (key: "Loss" | "Accuracy") => ({
    title: key === "Loss" ? "Cross-entropy loss" : "Accuracy",
    width: 300,
    height: 240,
    data: { values: long(key) },
    mark: { type: "line" as const, point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative" as const, title: "epoch", axis: { tickMinStep: 1, format: "d" } },
      y: {
        field: "value",
        type: "quantitative" as const,
        title: key === "Loss" ? "loss" : "accuracy",
        scale: { zero: false },
        axis: key === "Accuracy" ? { format: ".0%" } : {},
      },
      color: { field: "split", type: "nominal" as const, title: "set", sort: ["train", "test"] },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Training curves",
    config: BASE_CONFIG,
    hconcat: [panel("Loss"), panel("Accuracy")],
  };
}

/** Prediction showcase: test images with predicted and true labels; mistakes framed in red. */
export function predictionShowcaseSpec(samples: readonly ShowcaseSample[], classes: readonly string[], columns = 8): TopLevelSpec {
  const side = 84;
  const values = samples.map((s) => ({
    index: s.index,
    url: pngDataUrl(imagePng(s.pixels, 3)),
    predicted: `${classes[s.predicted]}`,
    truth: `true: ${classes[s.truth]}`,
    correct: s.predicted === s.truth,
  }));
  const at = (y: number) => ({ x: { value: side / 2 }, y: { value: y } });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Predictions on test images", subtitle: "predicted label above the truth; mistakes in red" },
    config: { ...BASE_CONFIG, facet: { spacing: 10 } },
    data: { values },
    facet: {
      field: "index",
      type: "ordinal",
      sort: samples.map((s) => s.index),
      header: { title: null, labelExpr: "'test image ' + datum.value", labelFontSize: 9, labelColor: "#777", labelPadding: 2 },
    },
    columns,
    spec: {
      width: side,
      height: side + 30,
      layer: [
        { mark: { type: "image", width: side, height: side, align: "left", baseline: "top", aria: false }, encoding: { url: { field: "url", type: "nominal" }, x: { value: 0 }, y: { value: 0 } } },
        {
          transform: [{ filter: "!datum.correct" }],
          mark: { type: "rect", fill: null, stroke: rgb(MISTAKE_RGB), strokeWidth: 3 },
          encoding: { x: { value: 0 }, x2: { value: side }, y: { value: 0 }, y2: { value: side } },
        },
        {
          mark: { type: "text", fontSize: 11, fontWeight: "bold", baseline: "top" },
          encoding: {
            ...at(side + 4),
            text: { field: "predicted", type: "nominal" },
            color: { condition: { test: "datum.correct", value: rgb(CORRECT_RGB) }, value: rgb(MISTAKE_RGB) },
          },
        },
        { mark: { type: "text", fontSize: 10, baseline: "top", color: "#555" }, encoding: { ...at(side + 17), text: { field: "truth", type: "nominal" } } },
      ],
    },
  };
}

/** Confusion matrix of the test set: counts by true (rows) and predicted (columns) class. */
export function confusionMatrixSpec(confusion: readonly (readonly number[])[], classes: readonly string[]): TopLevelSpec {
  const values = confusion.flatMap((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, j) => ({ truth: classes[i], predicted: classes[j], count, share: total === 0 ? 0 : count / total }));
  });
  const order = [...classes];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Confusion matrix", subtitle: "test images by true and predicted class" },
    config: BASE_CONFIG,
    width: 400,
    height: 400,
    data: { values },
    encoding: {
      x: { field: "predicted", type: "ordinal", sort: order, title: "predicted class", axis: { labelAngle: -40 } },
      y: { field: "truth", type: "ordinal", sort: order, title: "true class" },
    },
    layer: [
      {
        mark: "rect",
        encoding: {
          color: { field: "share", type: "quantitative", title: "share of row", scale: { scheme: "blues", type: "sqrt", domain: [0, 1] }, legend: { format: ".0%", values: [0, 0.05, 0.25, 0.5, 1] } },
        },
      },
      {
        mark: { type: "text", fontSize: 10 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.share > 0.5", value: "white" }, value: "#222" },
        },
      },
    ],
  };
}
