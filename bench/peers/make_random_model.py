#!/usr/bin/env python3
"""Writes a randomly initialised model in Hugging Face layout (config.json +
model.safetensors, float32), shared by our runtime and the PyTorch peer in bench/run.sh.

  make_random_model.py --shape qwen3-0.6b --out DIR [--seed 0]

The weights are N(0, 0.02) (norm weights 1), which is enough for timing: the
arithmetic per token does not depend on the values.
"""
import argparse
import json
import os
import struct

import torch

SHAPES = {
    # pipeline-facts.md section C; vocab 151936 rows, tied embeddings
    "qwen3-0.6b": dict(hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                       num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                       vocab_size=151936, tie_word_embeddings=True),
    # small enough to smoke-test the suite quickly (bench/run.sh --quick)
    "qwen3-small": dict(hidden_size=256, intermediate_size=768, num_hidden_layers=4,
                        num_attention_heads=4, num_key_value_heads=2, head_dim=64,
                        vocab_size=151936, tie_word_embeddings=True),
}


def config_for(shape):
    c = dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", attention_bias=False,
             attention_dropout=0.0, hidden_act="silu", max_position_embeddings=40960,
             rms_norm_eps=1e-6, rope_theta=1000000.0, rope_scaling=None, sliding_window=None,
             use_sliding_window=False, torch_dtype="float32", bos_token_id=151643,
             eos_token_id=151645)
    c.update(SHAPES[shape])
    return c


def tensor_shapes(c):
    H, I, hd = c["hidden_size"], c["intermediate_size"], c["head_dim"]
    nq, nkv = c["num_attention_heads"], c["num_key_value_heads"]
    out = {"model.embed_tokens.weight": [c["vocab_size"], H], "model.norm.weight": [H]}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out.update({
            p + "input_layernorm.weight": [H], p + "post_attention_layernorm.weight": [H],
            p + "self_attn.q_proj.weight": [nq * hd, H], p + "self_attn.k_proj.weight": [nkv * hd, H],
            p + "self_attn.v_proj.weight": [nkv * hd, H], p + "self_attn.o_proj.weight": [H, nq * hd],
            p + "self_attn.q_norm.weight": [hd], p + "self_attn.k_norm.weight": [hd],
            p + "mlp.gate_proj.weight": [I, H], p + "mlp.up_proj.weight": [I, H],
            p + "mlp.down_proj.weight": [H, I],
        })
    if not c["tie_word_embeddings"]:
        out["lm_head.weight"] = [c["vocab_size"], H]
    return out


def write(out_dir, shape, seed):
    c = config_for(shape)
    shapes = tensor_shapes(c)
    names = sorted(shapes)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for n in names:
        nbytes = 4
        for d in shapes[n]:
            nbytes *= d
        header[n] = {"dtype": "F32", "shape": shapes[n], "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    os.makedirs(out_dir, exist_ok=True)
    tmp = os.path.join(out_dir, "model.safetensors.part")
    g = torch.Generator().manual_seed(seed)
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for n in names:
            if n.endswith("norm.weight"):
                t = torch.ones(shapes[n])
            else:
                t = torch.empty(shapes[n]).normal_(0.0, 0.02, generator=g)
            f.write(t.numpy().tobytes())
    os.replace(tmp, os.path.join(out_dir, "model.safetensors"))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(c, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", choices=sorted(SHAPES), default="qwen3-0.6b")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    write(a.out, a.shape, a.seed)


if __name__ == "__main__":
    main()
