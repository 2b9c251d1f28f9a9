// The model: a decoder-only transformer (GPT) over characters. Token and position embeddings,
// pre-LayerNorm blocks of causal self-attention and a GELU MLP, a final LayerNorm and an output
// head tied to the token embedding. docs/torch_gpt.py defines the same model with torch.nn.

import { Embedding, GELU, LayerNorm, Linear, Module, ModuleList, MultiheadAttention, Sequential } from "@tg/nn";
import { noGrad, tensor, Tensor, TensorError, type Rng } from "@tg/tensor";

/** The shape of a model; saved in the checkpoint's metadata. */
export interface GptConfig {
  vocabSize: number;
  /** The longest context (number of positions). */
  context: number;
  layers: number;
  heads: number;
  /** The embedding width. */
  width: number;
}

/** One transformer block: x + attn(ln1(x)), then x + mlp(ln2(x)). */
export class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiheadAttention;
  readonly ln2: LayerNorm;
  /** Linear(width, 4·width), GELU, Linear(4·width, width). */
  readonly mlp: Sequential;

  constructor(config: GptConfig, rng: Rng) {
    super();
    const c = config.width;
    this.ln1 = new LayerNorm(c);
    this.attn = new MultiheadAttention(c, config.heads, { rng });
    this.ln2 = new LayerNorm(c);
    this.mlp = new Sequential(new Linear(c, 4 * c, { rng }), new GELU(), new Linear(4 * c, c, { rng }));
  }

  forward(x: Tensor): Tensor {
    const h = this.ln1.forward(x);
    const attended = x.add(this.attn.forward(h, h, h, { isCausal: true }));
    return attended.add(this.mlp.forward(this.ln2.forward(attended)));
  }
}

/**
 * The GPT: tokens [B, T] (int32, T ≤ context) to logits [B, T, vocabSize]. Parameter names:
 * `wte.weight`, `wpe.weight`, `blocks.i.{ln1,attn,ln2,mlp}.…`, `lnF.*` and `head.weight`, which is
 * the same tensor as `wte.weight` (tied, saved once).
 */
export class Gpt extends Module {
  readonly config: GptConfig;
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly blocks: ModuleList;
  readonly lnF: LayerNorm;
  readonly head: Linear;

  constructor(config: GptConfig, rng: Rng) {
    super();
    this.config = { ...config };
    const { vocabSize, context, layers, width } = config;
    this.wte = new Embedding(vocabSize, width, { rng });
    this.wpe = new Embedding(context, width, { rng });
    this.blocks = new ModuleList(Array.from({ length: layers }, () => new Block(config, rng)));
    this.lnF = new LayerNorm(width);
    this.head = new Linear(width, vocabSize, { bias: false, rng });
    this.head.weight = this.wte.weight;
    initWeights(this, rng);
  }

  /** Logits [B, T, vocabSize] for tokens [B, T]. */
  forward(tokens: Tensor): Tensor {
    const [, t] = tokens.shape;
    if (tokens.ndim !== 2 || t > this.config.context || t < 1) {
      throw new TensorError(`Gpt: expected tokens [B,T] with 1 <= T <= ${this.config.context}, got [${tokens.shape.join(",")}]`);
    }
    const positions = Tensor.arange(0, t, 1, { dtype: "int32" });
    let x = this.wte.forward(tokens).add(this.wpe.forward(positions));
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }

  /** The blocks, typed. */
  blockList(): Block[] {
    return [...this.blocks].filter((b): b is Block => b instanceof Block);
  }
}

/**
 * GPT-2's initialisation (as nanoGPT): every Linear, Embedding and attention projection weight
 * N(0, 0.02²), the projections back into the residual stream (attention output, MLP output)
 * N(0, (0.02/√(2·layers))²), biases 0, LayerNorms 1 and 0.
 */
export function initWeights(model: Gpt, rng: Rng): void {
  const residualStd = 0.02 / Math.sqrt(2 * model.config.layers);
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      if (name.endsWith("bias") || name.includes(".ln") || name.startsWith("lnF")) continue;
      const std = name.endsWith("out_proj.weight") || name.endsWith("mlp.2.weight") ? residualStd : 0.02;
      const values = new Float32Array(p.size);
      for (let i = 0; i < values.length; i++) values[i] = rng.normal() * std;
      p.copy_(tensor(values, { shape: p.shape }));
    }
  });
}
