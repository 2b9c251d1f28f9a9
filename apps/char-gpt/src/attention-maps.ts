// Attention maps: the attention weights of every head of one block on a piece of text, computed
// by running the model's blocks up to that block and asking its attention for its weights.

import { noGrad, tensor } from "@tg/tensor";
import type { Gpt } from "./model.js";

/** The weights of each head of block `layer` on `tokens`: maps[head][query][key]. */
export function attentionMaps(model: Gpt, tokens: Int32Array, layer: number): number[][][] {
  const t = tokens.length;
  const blocks = model.blockList();
  return noGrad(() => {
    const input = tensor(tokens, { shape: [1, t], dtype: "int32" });
    const positions = tensor(Int32Array.from({ length: t }, (_, i) => i), { shape: [t], dtype: "int32" });
    let x = model.wte.forward(input).add(model.wpe.forward(positions));
    for (let i = 0; i < layer; i++) x = blocks[i].forward(x);
    const h = blocks[layer].ln1.forward(x);
    const [, weights] = blocks[layer].attn.forwardWithWeights(h, h, h, { isCausal: true, averageAttnWeights: false });
    if (weights === null) return [];
    const values = weights.dataSync();
    const heads = weights.shape[1];
    return Array.from({ length: heads }, (_, head) =>
      Array.from({ length: t }, (_, q) => Array.from(values.subarray((head * t + q) * t, (head * t + q + 1) * t))),
    );
  });
}
