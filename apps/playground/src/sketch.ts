// The 28×28 sketch pad: white strokes on black, like Fashion-MNIST's images, painted with a soft
// round brush into 784 floats in [0,1]. Pointer (mouse, pen, touch) or keyboard: the arrow keys
// move a cursor, space or enter paints under it.

/** A drawing surface over a canvas; `onChange` runs after every stroke segment. */
export class SketchPad {
  /** The picture, row by row, 0 (black) to 1 (white). */
  readonly pixels = new Float32Array(784);
  private cursor = { x: 14, y: 14 };
  private drawing = false;
  private last: { x: number; y: number } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = null;
      this.strokeTo(this.toGrid(e));
    });
    canvas.addEventListener("pointermove", (e) => {
      if (this.drawing) this.strokeTo(this.toGrid(e));
    });
    const end = () => {
      this.drawing = false;
      this.last = null;
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("keydown", (e) => this.onKey(e));
    canvas.addEventListener("focus", () => this.render());
    canvas.addEventListener("blur", () => this.render());
    this.render();
  }

  /** Erases the picture. */
  clear(): void {
    this.pixels.fill(0);
    this.render();
    this.onChange();
  }

  /** Replaces the picture (784 values in [0,1]). */
  set(pixels: ArrayLike<number>): void {
    for (let i = 0; i < 784; i++) this.pixels[i] = Math.min(1, Math.max(0, pixels[i]));
    this.render();
    this.onChange();
  }

  /** True when nothing has been drawn. */
  get empty(): boolean {
    return this.pixels.every((v) => v === 0);
  }

  private toGrid(e: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - box.left) / box.width) * 28, y: ((e.clientY - box.top) / box.height) * 28 };
  }

  private onKey(e: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const move = moves[e.key];
    if (move !== undefined) {
      this.cursor = { x: Math.min(27, Math.max(0, this.cursor.x + move[0])), y: Math.min(27, Math.max(0, this.cursor.y + move[1])) };
      if (e.shiftKey) this.paint(this.cursor.x + 0.5, this.cursor.y + 0.5);
      this.render();
      if (e.shiftKey) this.onChange();
    } else if (e.key === " " || e.key === "Enter") {
      this.paint(this.cursor.x + 0.5, this.cursor.y + 0.5);
      this.render();
      this.onChange();
    } else if (e.key === "Delete" || e.key === "Backspace") {
      this.clear();
    } else {
      return;
    }
    e.preventDefault();
  }

  private strokeTo(p: { x: number; y: number }): void {
    const from = this.last ?? p;
    const steps = Math.max(1, Math.ceil(Math.hypot(p.x - from.x, p.y - from.y) * 3));
    for (let s = 1; s <= steps; s++) this.paint(from.x + ((p.x - from.x) * s) / steps, from.y + ((p.y - from.y) * s) / steps);
    this.last = p;
    this.render();
    this.onChange();
  }

  /** Adds a soft disc of radius about 1.5 pixels centred at (cx, cy). */
  private paint(cx: number, cy: number): void {
    for (let y = Math.floor(cy - 3); y <= cy + 3; y++) {
      for (let x = Math.floor(cx - 3); x <= cx + 3; x++) {
        if (x < 0 || y < 0 || x > 27 || y > 27) continue;
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const ink = Math.max(0, Math.min(1, 1.8 - d)) * 0.6;
        this.pixels[y * 28 + x] = Math.min(1, this.pixels[y * 28 + x] + ink);
      }
    }
  }

  private render(): void {
    const ctx = this.canvas.getContext("2d");
    if (ctx === null) return;
    const cell = this.canvas.width / 28;
    for (let i = 0; i < 784; i++) {
      const v = Math.round(this.pixels[i] * 255);
      ctx.fillStyle = `rgb(${v},${v},${v})`;
      ctx.fillRect((i % 28) * cell, Math.floor(i / 28) * cell, cell, cell);
    }
    if (document.activeElement === this.canvas) {
      ctx.strokeStyle = "#E69F00";
      ctx.lineWidth = 2;
      ctx.strokeRect(this.cursor.x * cell + 1, this.cursor.y * cell + 1, cell - 2, cell - 2);
    }
  }
}
