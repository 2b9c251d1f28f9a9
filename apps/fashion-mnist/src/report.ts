// The run folder's pictures (SVG charts, PNG pixel grids) and report.html, which embeds every
// picture as a data URL so the page views offline and keeps working when moved on its own.
// Every file is written atomically (a temporary file and a rename), like metrics.json.

import { join } from "node:path";
import { writeFileAtomic, type GradientFlow, type MetricsFile } from "./metrics.js";
import { confusionPng, predictionGridPng, type ShowcaseSample } from "./pixels.js";
import { formatLoss } from "./progress.js";
import { confusionMatrixSpec, gradientFlowSpec, predictionShowcaseSpec, renderSvg, trainingCurvesSpec } from "./plots.js";

/** One picture of the report: its title, a caption, and the files written for it. */
export interface Picture {
  title: string;
  caption: string;
  svgFile: string;
  svg: string;
  pngFile: string | null;
}

/** What the pictures are drawn from. */
export interface PictureInputs {
  metrics: MetricsFile;
  flow: GradientFlow;
  samples: ShowcaseSample[];
}

/** File names of everything a run writes into its folder. */
export const RUN_FILES = {
  metrics: "metrics.json",
  checkpoint: "model.safetensors",
  report: "report.html",
  gradientFlow: "gradient-flow.svg",
  trainingCurves: "training-curves.svg",
  predictionsSvg: "predictions.svg",
  predictionsPng: "predictions.png",
  confusionSvg: "confusion-matrix.svg",
  confusionPng: "confusion-matrix.png",
} as const;

/** Renders the four pictures, writes them into `dir` and returns them for the report. */
export async function writePictures(dir: string, { metrics, flow, samples }: PictureInputs): Promise<Picture[]> {
  const confusion = metrics.final?.confusion ?? metrics.classes.map(() => metrics.classes.map(() => 0));
  const pictures: Picture[] = [
    {
      title: "Gradient flow",
      caption: "Mean absolute gradient of each layer's weights at every training step (log scale).",
      svgFile: RUN_FILES.gradientFlow,
      svg: await renderSvg(gradientFlowSpec(flow)),
      pngFile: null,
    },
    {
      title: "Training curves",
      caption: "Loss and accuracy on the training images and the unseen test images after every epoch.",
      svgFile: RUN_FILES.trainingCurves,
      svg: await renderSvg(trainingCurvesSpec(metrics.epochs)),
      pngFile: null,
    },
    {
      title: "Predictions",
      caption: "The first test images with the predicted label (green when right, red when wrong) above the true one.",
      svgFile: RUN_FILES.predictionsSvg,
      svg: await renderSvg(predictionShowcaseSpec(samples, metrics.classes)),
      pngFile: RUN_FILES.predictionsPng,
    },
    {
      title: "Confusion matrix",
      caption: "Test images counted by true class (rows) and predicted class (columns).",
      svgFile: RUN_FILES.confusionSvg,
      svg: await renderSvg(confusionMatrixSpec(confusion, metrics.classes)),
      pngFile: RUN_FILES.confusionPng,
    },
  ];
  for (const picture of pictures) writeFileAtomic(join(dir, picture.svgFile), picture.svg);
  writeFileAtomic(join(dir, RUN_FILES.predictionsPng), predictionGridPng(samples));
  writeFileAtomic(join(dir, RUN_FILES.confusionPng), confusionPng(confusion));
  return pictures;
}

/** The report page: settings, per-epoch figures and the four pictures, all in one file. */
export function reportHtml(name: string, metrics: MetricsFile, pictures: readonly Picture[]): string {
  const s = metrics.settings;
  const last = metrics.epochs.at(-1);
  const meanSeconds = metrics.epochs.reduce((a, e) => a + e.seconds, 0) / Math.max(1, metrics.epochs.length);
  const headline = last
    ? `${percent(last.testAccuracy)} test accuracy after ${last.epoch} epoch${last.epoch === 1 ? "" : "s"}, ${meanSeconds.toFixed(1)} s per epoch`
    : "no epoch finished";
  const settings: [string, string][] = [
    ["model", `${s.model} (${metrics.model.parameters.toLocaleString("en-US")} parameters)`],
    ["optimizer", `${s.optimizer}, lr ${s.lr}${s.schedule === "cosine" ? " along a cosine to 0" : ""}, weight decay ${s.weightDecay}`],
    ["epochs", `${metrics.epochs.length} of ${s.epochs}${metrics.status === "interrupted" || metrics.status === "diverged" ? ` (${metrics.status})` : ""}`],
    ["batch size", String(s.batchSize)],
    ["seed", String(s.seed)],
    ["images", `${s.trainImages} training, ${s.testImages} test`],
    ["machine", `${metrics.machine.cpus} cores, Node ${metrics.machine.node}, ${metrics.machine.platform}`],
  ];
  const rows = metrics.epochs
    .map((e) => `<tr><td>${e.epoch}</td><td>${formatLoss(e.trainLoss)}</td><td>${percent(e.trainAccuracy)}</td><td>${formatLoss(e.testLoss)}</td><td>${percent(e.testAccuracy)}</td><td>${e.seconds.toFixed(1)}</td></tr>`)
    .join("\n");
  const figures = pictures.map(figureHtml).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Fashion-MNIST run ${name}`)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
td, th { padding: 0.2rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; }
td:not(:first-child) { font-variant-numeric: tabular-nums; }
figure { margin: 2rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #555; margin-top: 0.3rem; }
</style>
</head>
<body>
<h1>${escapeHtml(`Fashion-MNIST: ${name}`)}</h1>
<p><strong>${escapeHtml(headline)}</strong></p>
<h2>Settings</h2>
<table>
${settings.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("\n")}
</table>
<h2>Epochs</h2>
<table>
<tr><th>epoch</th><th>train loss</th><th>train accuracy</th><th>test loss</th><th>test accuracy</th><th>seconds</th></tr>
${rows}
</table>
${figures}
</body>
</html>
`;
}

function figureHtml(picture: Picture): string {
  const src = `data:image/svg+xml;base64,${Buffer.from(picture.svg).toString("base64")}`;
  const links = [picture.svgFile, picture.pngFile].filter((f): f is string => f !== null);
  return `<figure>
<h2>${escapeHtml(picture.title)}</h2>
<img src="${src}" alt="${escapeHtml(picture.title)}">
<figcaption>${escapeHtml(picture.caption)} Files: ${links.map((f) => `<a href="${escapeHtml(f)}">${escapeHtml(f)}</a>`).join(", ")}</figcaption>
</figure>`;
}

function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** Escapes the five characters that are special in HTML text and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
