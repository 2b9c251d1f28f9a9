import { controlCharacters } from "./testing/cli.js";
import { describe, expect, it } from "vitest";
import { asciiImage, colourImage } from "./terminal-image.js";

function stripe(): Float32Array {
  const pixels = new Float32Array(784);
  for (let x = 0; x < 28; x++) pixels[5 * 28 + x] = 1; // row 5 fully inked
  return pixels;
}

describe("asciiImage", () => {
  it("draws one line per row, two characters per pixel, without control characters", () => {
    const lines = asciiImage(stripe());
    expect(lines).toHaveLength(28);
    expect(lines[5]).toBe("@".repeat(56));
    expect(lines[0]).toBe("");
    expect(controlCharacters(lines.join("\n"))).toEqual([]);
  });
});

describe("colourImage", () => {
  it("packs two rows per line in grey-level colours", () => {
    const lines = colourImage(stripe());
    expect(lines).toHaveLength(14);
    expect(lines[2]).toContain("\x1b[38;5;232;48;5;255m▀"); // row 4 empty above row 5 inked
    expect(lines[2].match(/▀/g)).toHaveLength(28);
    expect(lines[2].endsWith("\x1b[0m")).toBe(true);
  });
});
