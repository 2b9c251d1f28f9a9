// Draws a 28×28 grey image in the terminal for `predict`: grey-level colours on a terminal,
// a ramp of plain characters elsewhere (two per pixel, so the image keeps its aspect).

/** Characters from empty to full ink. */
const RAMP = " .:-=+*#%@";

/** The image as plain text lines: one line per pixel row, two characters per pixel. */
export function asciiImage(pixels: Float32Array, side = 28): string[] {
  const lines: string[] = [];
  for (let y = 0; y < side; y++) {
    let line = "";
    for (let x = 0; x < side; x++) {
      const c = RAMP[Math.min(RAMP.length - 1, Math.floor(clamp01(pixels[y * side + x]) * RAMP.length))];
      line += c + c;
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

/**
 * The image in 256-colour terminal escapes: each character is the upper-half block "▀", its
 * foreground one pixel row and its background the next, so 28 rows fit in 14 lines.
 */
export function colourImage(pixels: Float32Array, side = 28): string[] {
  const grey = (v: number) => 232 + Math.round(clamp01(v) * 23); // the 24-step grey ramp, 232..255
  const lines: string[] = [];
  for (let y = 0; y < side; y += 2) {
    let line = "";
    for (let x = 0; x < side; x++) {
      const top = grey(pixels[y * side + x]);
      const bottom = y + 1 < side ? grey(pixels[(y + 1) * side + x]) : 232;
      line += `\x1b[38;5;${top};48;5;${bottom}m▀`;
    }
    lines.push(`${line}\x1b[0m`);
  }
  return lines;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
