"""The char-gpt model in PyTorch: load a model.safetensors written by `pnpm gpt train` and run it.

The model below is the same as apps/char-gpt/src/model.ts, built from torch.nn modules whose
parameter names match the checkpoint's: wte, wpe, blocks.i.{ln1, attn, ln2, mlp}, lnF, and a
head tied to wte (the checkpoint stores the tied tensor once, as wte.weight). The safetensors
file is parsed with struct and json, so the `safetensors` package is not needed.

    python3 torch_gpt.py runs/gpt-.../model.safetensors --text "The "       # logits as JSON
    python3 torch_gpt.py runs/gpt-.../model.safetensors --generate "The " 200  # greedy text
"""

import json
import struct
import sys

import torch
import torch.nn as nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32}


def load_safetensors(path):
    """The tensors and the metadata of a safetensors file (F32, F64 and I32 tensors)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    start = 8 + length
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[start + begin : start + end]), dtype=DTYPES[info["dtype"]])
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors, metadata


class Block(nn.Module):
    """x + attn(ln1(x)) with a causal mask, then x + mlp(ln2(x))."""

    def __init__(self, width, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

    def forward(self, x):
        t = x.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)  # True: may not attend
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=causal, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class Gpt(nn.Module):
    """Token and position embeddings, pre-LayerNorm blocks, final LayerNorm, tied output head."""

    def __init__(self, vocabSize, context, layers, heads, width):
        super().__init__()
        self.wte = nn.Embedding(vocabSize, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.lnF = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocabSize, bias=False)
        self.head.weight = self.wte.weight  # tied, as in the tg model

    def forward(self, tokens):
        positions = torch.arange(tokens.shape[1])
        x = self.wte(tokens) + self.wpe(positions)
        for block in self.blocks:
            x = block(x)
        return self.head(self.lnF(x))


def load_model(path):
    """The model of a checkpoint, in eval mode, and its vocabulary (a list of characters)."""
    tensors, metadata = load_safetensors(path)
    model = Gpt(**json.loads(metadata["config"]))
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    # the tied head is stored once, as wte.weight; nothing else may be missing
    assert missing == ["head.weight"] and unexpected == [], (missing, unexpected)
    assert model.head.weight is model.wte.weight
    return model.eval(), json.loads(metadata["vocabulary"])["vocabulary"]


def main(argv):
    torch.set_num_threads(1)
    model, vocabulary = load_model(argv[1])
    ids = {c: i for i, c in enumerate(vocabulary)}
    if argv[2] == "--text":
        tokens = torch.tensor([[ids[c] for c in argv[3]]])
        with torch.no_grad():
            logits = model(tokens)
        print(json.dumps({"shape": list(logits.shape), "logits": logits.reshape(-1).tolist()}))
    elif argv[2] == "--generate":
        tokens = [ids[c] for c in argv[3]]
        context = model.wpe.weight.shape[0]
        with torch.no_grad():
            for _ in range(int(argv[4])):
                logits = model(torch.tensor([tokens[-context:]]))
                tokens.append(int(logits[0, -1].argmax()))
        print("".join(vocabulary[t] for t in tokens))
    else:
        sys.exit("usage: torch_gpt.py CHECKPOINT (--text TEXT | --generate PROMPT N)")


if __name__ == "__main__":
    main(sys.argv)
