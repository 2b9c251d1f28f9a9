// PyTorch's peer of gpt-tg.ts: the same model from torch.nn modules (as apps/char-gpt's
// docs/torch_gpt.py), timed the same way, printing RESULT lines as the other runners.

import { GPT_SHAPE } from "./gpt-tg.js";
import { PYTHON_MEASURE } from "./python.js";

/** The argument for GPT_TORCH_SCRIPT: the benches to run, the shape and the thread count. */
export function gptTorchArgs(benches: string[], threads: number): string {
  return JSON.stringify({ benches, threads, ...GPT_SHAPE });
}

/** Times a training step and a generation step of the GPT in PyTorch. */
export const GPT_TORCH_SCRIPT = String.raw`
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
V, T, L, H, C, B = cfg["vocabSize"], cfg["context"], cfg["layers"], cfg["heads"], cfg["width"], cfg["batch"]
${PYTHON_MEASURE}
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.attn = nn.MultiheadAttention(C, H, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(C, 4 * C), nn.GELU(), nn.Linear(4 * C, C))

    def forward(self, x):
        t = x.shape[1]
        h = self.ln1(x)
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))

class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.blocks = nn.ModuleList([Block() for _ in range(L)])
        self.lnF = nn.LayerNorm(C)
        self.head = nn.Linear(C, V, bias=False)
        self.head.weight = self.wte.weight

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.head(self.lnF(x))

def report(bench, case, value):
    print("RESULT " + json.dumps({"system": "torch", "bench": bench, "case": case, "value": value, "unit": "tokens/s"}), flush=True)

if "gpt-train" in cfg["benches"]:
    model = Gpt()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.randint(0, V, (B, T)), torch.randint(0, V, (B * T,))
    def step():
        opt.zero_grad()
        F.cross_entropy(model(x).reshape(B * T, V), y).backward()
        opt.step()
    report("gpt-train", "train", B * T / measure(step, samples=3, min_sample=2.0, budget=0.0))

if "gpt-generate" in cfg["benches"]:
    model = Gpt().eval()
    window = torch.randint(0, V, (1, T))
    def next_token():
        with torch.no_grad():
            return int(model(window)[0, -1].argmax())
    report("gpt-generate", "generate", 1 / measure(next_token, budget=4.0))
`;
