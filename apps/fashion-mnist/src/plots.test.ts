import { describe, expect, it } from "vitest";
import { confusionMatrixSpec, downsample, gradientFlowSpec, predictionShowcaseSpec, renderSvg, trainingCurvesSpec } from "./plots.js";
import { CLASSES, fakeConfusion, fakeEpochs, fakeFlow, fakeSamples } from "./testing/fixtures.js";
import { allText, byClass, findAll, parseXml, type XmlElement } from "./testing/xml.js";

/** The drawn elements (paths, images, texts) of the data marks whose class names start with `markClass`. */
function marks(svg: XmlElement, markClass: string, tag: string): XmlElement[] {
  return byClass(svg, markClass)
    .filter((g) => (g.attributes.class ?? "").includes("role-mark"))
    .flatMap((g) => findAll(g, (e) => e.name === tag));
}

describe("downsample", () => {
  it("averages consecutive windows and keeps every point of a short series", () => {
    expect(downsample([1, 2, 3], 10)).toEqual([
      { step: 1, value: 1 },
      { step: 2, value: 2 },
      { step: 3, value: 3 },
    ]);
    expect(downsample([1, 3, 5, 7, 9], 2)).toEqual([
      { step: 2, value: 3 },
      { step: 4.5, value: 8 },
    ]);
  });
  it("never returns more points than asked", () => {
    expect(downsample(new Array(9380).fill(1), 400).length).toBeLessThanOrEqual(400);
  });
});

describe("charts", () => {
  it("draws the gradient flow as one line per layer on a log axis", async () => {
    const layers = ["1 Linear(784→256)", "4 Linear(256→128)", "7 Linear(128→10)"];
    const svg = parseXml(await renderSvg(gradientFlowSpec(fakeFlow(layers, 1000))));
    expect(svg.name).toBe("svg");
    expect(marks(svg, "mark-line", "path")).toHaveLength(3);
    const text = allText(svg);
    for (const layer of layers) expect(text).toContain(layer);
    expect(text).toContain("0.001"); // a decade tick of the log scale
  });

  it("draws train and test curves of loss and accuracy", async () => {
    const svg = parseXml(await renderSvg(trainingCurvesSpec(fakeEpochs(4))));
    expect(marks(svg, "mark-line", "path")).toHaveLength(4);
    expect(marks(svg, "mark-symbol", "path")).toHaveLength(16); // a point per epoch on each line
    expect(allText(svg)).toEqual(expect.arrayContaining(["Cross-entropy loss", "Accuracy", "train", "test", "epoch"]));
  });

  it("shows each sample's image and labels, framing only the mistakes", async () => {
    const samples = fakeSamples(12);
    const svg = parseXml(await renderSvg(predictionShowcaseSpec(samples, CLASSES, 6)));
    const images = marks(svg, "mark-image", "image");
    expect(images).toHaveLength(12);
    for (const image of images) expect(image.attributes["xlink:href"] ?? image.attributes.href).toMatch(/^data:image\/png;base64,/);
    const mistakes = samples.filter((s) => s.predicted !== s.truth).length;
    expect(mistakes).toBe(4);
    expect(marks(svg, "mark-rect", "path")).toHaveLength(mistakes);
    const text = allText(svg);
    expect(text).toContain(`true: ${CLASSES[samples[0].truth]}`);
    expect(text).toContain(CLASSES[samples[0].predicted]);
  });

  it("draws the confusion matrix as 100 cells with their counts", async () => {
    const confusion = fakeConfusion();
    const svg = parseXml(await renderSvg(confusionMatrixSpec(confusion, CLASSES)));
    expect(marks(svg, "mark-rect", "path")).toHaveLength(100);
    const counts = marks(svg, "mark-text", "text").map((t) => Number(t.text));
    expect(counts.sort((a, b) => a - b)).toEqual(confusion.flat().sort((a, b) => a - b));
    expect(allText(svg)).toEqual(expect.arrayContaining(CLASSES));
  });
});
