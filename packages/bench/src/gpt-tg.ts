// tg's character-level GPT benchmarks: the default model of apps/char-gpt (4 layers, 4 heads,
// width 128, context 128, 113 characters) built from the public packages, in tokens per second
// for a training step (batch 16 × 128, AdamW) and for generation (one forward of a full context
// per new character, as the app's sampler does).

import { crossEntropyLoss } from "@tg/loss";
import { Embedding, GELU, LayerNorm, Linear, Module, ModuleList, MultiheadAttention, Sequential } from "@tg/nn";
import { AdamW } from "@tg/optim";
import { manualSeed, noGrad, Rng, tensor, Tensor } from "@tg/tensor";
import { type Result, attempt } from "./results.js";
import { CHUNKS, TRAINING_CHUNKS, measureChunked } from "./timing.js";

/** The benchmarked model's shape and batch (apps/char-gpt's defaults on Debian's fortunes). */
export const GPT_SHAPE = { vocabSize: 113, context: 128, layers: 4, heads: 4, width: 128, batch: 16 } as const;

class Block extends Module {
  readonly ln1 = new LayerNorm(GPT_SHAPE.width);
  readonly attn = new MultiheadAttention(GPT_SHAPE.width, GPT_SHAPE.heads);
  readonly ln2 = new LayerNorm(GPT_SHAPE.width);
  readonly mlp = new Sequential(new Linear(GPT_SHAPE.width, 4 * GPT_SHAPE.width), new GELU(), new Linear(4 * GPT_SHAPE.width, GPT_SHAPE.width));

  forward(x: Tensor): Tensor {
    const h = this.ln1.forward(x);
    const attended = x.add(this.attn.forward(h, h, h, { isCausal: true }));
    return attended.add(this.mlp.forward(this.ln2.forward(attended)));
  }
}

class Gpt extends Module {
  readonly wte = new Embedding(GPT_SHAPE.vocabSize, GPT_SHAPE.width);
  readonly wpe = new Embedding(GPT_SHAPE.context, GPT_SHAPE.width);
  readonly blocks = new ModuleList(Array.from({ length: GPT_SHAPE.layers }, () => new Block()));
  readonly lnF = new LayerNorm(GPT_SHAPE.width);
  readonly head = new Linear(GPT_SHAPE.width, GPT_SHAPE.vocabSize, { bias: false });

  constructor() {
    super();
    this.head.weight = this.wte.weight;
  }

  forward(tokens: Tensor): Tensor {
    const positions = Tensor.arange(0, tokens.shape[1], 1, { dtype: "int32" });
    let x = this.wte.forward(tokens).add(this.wpe.forward(positions));
    for (const block of this.blocks) if (block instanceof Block) x = block.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }
}

/** `count` random tokens of the vocabulary as an int32 tensor of `shape`. */
function randomTokens(rng: Rng, shape: number[]): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: count }, () => rng.int(GPT_SHAPE.vocabSize)), { shape, dtype: "int32" });
}

/** Runs the GPT benchmarks in `benches` ("gpt-train", "gpt-generate") under `system`. */
export function tgGpt(system: string, benches: string[]): Result[] {
  const results: Result[] = [];
  const { batch, context, vocabSize } = GPT_SHAPE;
  const rng = new Rng(0);
  if (benches.includes("gpt-train")) {
    manualSeed(0);
    const model = new Gpt();
    const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
    const x = randomTokens(rng, [batch, context]);
    const y = randomTokens(rng, [batch * context]);
    const step = () => {
      optimizer.zeroGrad();
      crossEntropyLoss(model.forward(x).reshape([batch * context, vocabSize]), y).backward();
      optimizer.step();
    };
    const what = { system, bench: "gpt-train", case: "train", unit: "tokens/s" } as const;
    attempt(results, what, () => measureChunked(step, TRAINING_CHUNKS), (seconds) => (batch * context) / seconds);
  }
  if (benches.includes("gpt-generate")) {
    manualSeed(0);
    const model = new Gpt().eval();
    const window = randomTokens(rng, [1, context]);
    const next = () => void noGrad(() => model.forward(window).slice(1, context - 1).argmax(-1).dataSync());
    const what = { system, bench: "gpt-generate", case: "generate", unit: "tokens/s" } as const;
    attempt(results, what, () => measureChunked(next, CHUNKS), (seconds) => 1 / seconds);
  }
  return results;
}
