import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { escapeHtml, reportHtml, RUN_FILES, writePictures } from "./report.js";
import { fakeFlow, fakeMetrics, fakeSamples } from "./testing/fixtures.js";
import { parseXml } from "./testing/xml.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "fmnist-report-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The data URLs of the report's <img> tags, decoded. */
function embeddedSvgs(html: string): string[] {
  return [...html.matchAll(/<img src="data:image\/svg\+xml;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1], "base64").toString("utf8"));
}

describe("writePictures and reportHtml", () => {
  it("writes the four SVGs and two PNGs, and embeds every SVG in the report", { timeout: 30_000 }, async () => {
    const metrics = fakeMetrics(3);
    const pictures = await writePictures(dir, { metrics, flow: fakeFlow(["1 Linear(784→256)"], 50), samples: fakeSamples(16) });
    expect(pictures.map((p) => p.svgFile)).toEqual([RUN_FILES.gradientFlow, RUN_FILES.trainingCurves, RUN_FILES.predictionsSvg, RUN_FILES.confusionSvg]);
    for (const picture of pictures) {
      const svg = readFileSync(join(dir, picture.svgFile), "utf8");
      expect(svg).toBe(picture.svg);
      expect(parseXml(svg).name).toBe("svg");
    }
    const grid = PNG.sync.read(readFileSync(join(dir, RUN_FILES.predictionsPng)));
    expect(grid.width).toBeGreaterThan(grid.height); // 16 images in 2 rows of 8
    const confusion = PNG.sync.read(readFileSync(join(dir, RUN_FILES.confusionPng)));
    expect([confusion.width, confusion.height]).toEqual([240, 240]);

    const html = reportHtml("mlp-test", metrics, pictures);
    expect(embeddedSvgs(html)).toEqual(pictures.map((p) => p.svg));
    for (const file of Object.values(RUN_FILES).filter((f) => f.endsWith(".svg") || f.endsWith(".png"))) {
      expect(html).toContain(`<a href="${file}">`);
    }
    expect(html).toContain("80.80% test accuracy after 3 epochs, 11.0 s per epoch");
    expect(html).toContain("235,146 parameters");
    expect(html.match(/<tr><td>\d+<\/td>/g)).toHaveLength(3);
  });

  it("replaces every picture whole: a reader of the old file keeps the old file, and no temporary file stays", { timeout: 30_000 }, async () => {
    const files = Object.values(RUN_FILES).filter((f) => f.endsWith(".svg") || f.endsWith(".png"));
    const readers = files.map((file) => {
      writeFileSync(join(dir, file), `old ${file}`);
      return openSync(join(dir, file), "r");
    });
    try {
      await writePictures(dir, { metrics: fakeMetrics(1), flow: fakeFlow(["1 Linear(784→256)"], 5), samples: fakeSamples(4) });
      // a file written in place would be truncated under its reader; a renamed one leaves it be
      expect(readers.map((fd) => readFileSync(fd, "utf8"))).toEqual(files.map((file) => `old ${file}`));
      for (const file of files) expect(readFileSync(join(dir, file), "utf8")).not.toBe(`old ${file}`);
      expect(readdirSync(dir).sort()).toEqual([...files].sort());
    } finally {
      readers.forEach((fd) => closeSync(fd));
    }
  });

  it("says when a run was interrupted", async () => {
    const metrics = { ...fakeMetrics(2), status: "interrupted" as const };
    metrics.settings.epochs = 10;
    const html = reportHtml("r", metrics, []);
    expect(html).toContain("2 of 10 (interrupted)");
  });

  it("escapes text that would otherwise be markup", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&#60;a href=&#34;x&#34;&#62;&#38;&#39;");
    expect(reportHtml("<b>run</b>", fakeMetrics(1), [])).not.toContain("<b>run</b>");
  });
});
