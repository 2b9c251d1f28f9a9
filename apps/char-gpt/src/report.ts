// The run folder's pictures (SVG) and report.html, which embeds every picture as a data URL so the
// page views offline and keeps working when moved on its own.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MetricsFile, GradientFlow } from "./metrics.js";
import { attentionSpec, gradientFlowSpec, lossSpec, renderSvg, samplesSpec } from "./plots.js";

/** One picture of the report. */
export interface Picture {
  title: string;
  caption: string;
  file: string;
  svg: string;
}

/** The attention maps to draw: per head, on `chars`, of block `layer`. */
export interface AttentionInput {
  maps: number[][][];
  chars: string[];
  layer: number;
}

/** File names of what a run writes besides the checkpoint. */
export const RUN_FILES = {
  metrics: "metrics.json",
  report: "report.html",
  samples: "samples.txt",
  loss: "loss.svg",
  gradientFlow: "gradient-flow.svg",
  attention: "attention.svg",
  samplesSvg: "samples.svg",
} as const;

/** Renders the four pictures into `dir` and returns them for the report. */
export async function writePictures(dir: string, metrics: MetricsFile, flow: GradientFlow, attention: AttentionInput): Promise<Picture[]> {
  const pictures: Picture[] = [
    { title: "Loss", caption: "Training loss per step (averaged in windows) and validation loss at each evaluation.", file: RUN_FILES.loss, svg: await renderSvg(lossSpec(metrics.steps, metrics.evals)) },
    { title: "Gradient flow", caption: "Mean absolute gradient of the embeddings, each block and the final LayerNorm at every step (log scale).", file: RUN_FILES.gradientFlow, svg: await renderSvg(gradientFlowSpec(flow)) },
    { title: "Attention maps", caption: `Attention weights of every head of block ${attention.layer} on the start of the validation text (causal: nothing above the diagonal).`, file: RUN_FILES.attention, svg: await renderSvg(attentionSpec(attention.maps, attention.chars, attention.layer)) },
    { title: "Samples", caption: "Text generated at each evaluation; the full samples are in samples.txt.", file: RUN_FILES.samplesSvg, svg: await renderSvg(samplesSpec(metrics.evals)) },
  ];
  for (const p of pictures) writeFileSync(join(dir, p.file), p.svg);
  return pictures;
}

/** samples.txt: every evaluation's sample under a header line. */
export function samplesText(metrics: MetricsFile): string {
  return metrics.evals.map((e) => `=== step ${e.step}, validation loss ${e.valLoss.toFixed(4)}\n${e.sample}\n`).join("\n");
}

/** The report page: headline, settings, evaluations, pictures and the last sample, in one file. */
export function reportHtml(name: string, metrics: MetricsFile, pictures: readonly Picture[]): string {
  const s = metrics.settings;
  const m = metrics.model;
  const f = metrics.final;
  const headline = f
    ? `validation loss ${f.valLoss.toFixed(4)} after ${f.step} steps, ${(f.seconds / 60).toFixed(1)} min (${Math.round(f.tokensPerSecond)} tokens/s)`
    : "no evaluation finished";
  const settings: [string, string][] = [
    ["model", `${m.layers} blocks, ${m.heads} heads, width ${m.width}, context ${m.context}, ${m.vocabSize} characters (${m.parameters.toLocaleString("en-US")} parameters)`],
    ["training", `${metrics.steps.length} of ${s.steps} steps${metrics.status === "interrupted" ? " (interrupted)" : ""}, batch ${s.batchSize} × ${s.context} characters`],
    ["optimizer", `AdamW, lr ${s.lr} (warm-up ${s.warmup} steps, cosine to lr/10), weight decay ${s.weightDecay}, gradient norm clipped at 1`],
    ["seed", String(s.seed)],
    ["text", `${metrics.data.source}: ${metrics.data.characters.toLocaleString("en-US")} characters, ${metrics.data.trainTokens.toLocaleString("en-US")} for training, ${metrics.data.valTokens.toLocaleString("en-US")} for validation`],
    ["machine", `${metrics.machine.cpus} cores, Node ${metrics.machine.node}, ${metrics.machine.platform}`],
  ];
  const rows = metrics.evals
    .map((e) => `<tr><td>${e.step}</td><td>${e.trainLoss.toFixed(4)}</td><td>${e.valLoss.toFixed(4)}</td><td>${(e.seconds / 60).toFixed(1)}</td></tr>`)
    .join("\n");
  const last = metrics.evals.at(-1);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`char-gpt run ${name}`)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
td, th { padding: 0.2rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
figure { margin: 2rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #555; margin-top: 0.3rem; }
pre { background: #f6f6f6; padding: 1rem; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>${escapeHtml(`char-gpt: ${name}`)}</h1>
<p><strong>${escapeHtml(headline)}</strong></p>
<h2>Settings</h2>
<table>
${settings.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("\n")}
</table>
<h2>Evaluations</h2>
<table>
<tr><th>step</th><th>train loss</th><th>validation loss</th><th>minutes</th></tr>
${rows}
</table>
${pictures.map(figureHtml).join("\n")}
<h2>Last sample</h2>
<pre>${escapeHtml(last?.sample ?? "")}</pre>
</body>
</html>
`;
}

function figureHtml(picture: Picture): string {
  const src = `data:image/svg+xml;base64,${Buffer.from(picture.svg).toString("base64")}`;
  return `<figure>
<h2>${escapeHtml(picture.title)}</h2>
<img src="${src}" alt="${escapeHtml(picture.title)}">
<figcaption>${escapeHtml(picture.caption)} File: <a href="${escapeHtml(picture.file)}">${escapeHtml(picture.file)}</a></figcaption>
</figure>`;
}

/** Escapes the five characters that are special in HTML text and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
