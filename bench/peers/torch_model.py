#!/usr/bin/env python3
"""The PyTorch-eager peer: a plain Qwen3 / Llama decoder in Python, loading the same
Hugging Face folder (config.json + model.safetensors) that our C++ runtime loads.

No `transformers`, no `safetensors` package: the file format is read here (u64 header
length, JSON header, raw little-endian data). Attention is the textbook formula, with a
preallocated KV cache, as an eager PyTorch user would write it.

  torch_model.py --model DIR [--batch 1 8] [--prompt-len P] [--new-tokens N]
                 [--threads T] [--device cpu|cuda] [--dtype float32|bfloat16]
                 [--logits-out FILE] [--selfcheck FIXTURES_DIR]

Prints one JSON object: {"model":..., "runs":[{"batch","prefill_tokens_per_s",
"decode_tokens_per_s", ...}], "selfcheck": {...}}.
"""
import argparse
import json
import math
import mmap
import os
import struct
import sys
import time
import warnings

import torch
from torch.nn.functional import linear  # y = x W^T, what nn.Linear calls

# frombuffer on a read-only mmap warns; every tensor is cloned right away.
warnings.filterwarnings("ignore", message="The given buffer is not writable")

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


# ---------------------------------------------------------------------------- safetensors
def read_safetensors(path):
    """name -> tensor (views into one mmap of the file, copied once to own their memory)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        count = (end - begin) // torch.tensor([], dtype=dtype).element_size()
        t = torch.frombuffer(mm, dtype=dtype, count=count, offset=base + begin) if count else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def load_weights(model_dir):
    single = os.path.join(model_dir, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    index = json.load(open(os.path.join(model_dir, "model.safetensors.index.json")))
    out = {}
    for shard in sorted(set(index["weight_map"].values())):
        out.update(read_safetensors(os.path.join(model_dir, shard)))
    return out


# ---------------------------------------------------------------------------- model
class Decoder:
    """Qwen3ForCausalLM / LlamaForCausalLM forward with a KV cache."""

    def __init__(self, model_dir, device, dtype):
        cfg = json.load(open(os.path.join(model_dir, "config.json")))
        self.cfg = cfg
        self.n_layers = cfg["num_hidden_layers"]
        self.n_heads = cfg["num_attention_heads"]
        self.n_kv = cfg.get("num_key_value_heads", self.n_heads)
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.n_heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.qk_norm = cfg.get("model_type") == "qwen3"
        self.device, self.dtype = device, dtype
        w = {k: v.to(device=device, dtype=dtype) for k, v in load_weights(model_dir).items()}
        self.w = w
        self.lm_head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
        theta = cfg.get("rope_theta", 10000.0)
        # inv_freq_j = theta^(-2j/d), j = 0..d/2-1 (HF rotate_half layout)
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32, device=device) / self.head_dim))
        self.vocab = self.lm_head.shape[0]

    def param_bytes(self):
        seen, total = set(), 0
        for t in self.w.values():
            if t.data_ptr() not in seen:
                seen.add(t.data_ptr())
                total += t.numel() * t.element_size()
        return total

    def rms_norm(self, x, weight):
        # y = x * rsqrt(mean(x^2) + eps) in float32, cast back, then * weight
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * xf.to(x.dtype)

    def rope(self, positions):
        # positions [T] -> cos, sin [T, head_dim]
        freqs = positions.float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        return emb.cos().to(self.dtype), emb.sin().to(self.dtype)

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat([-x[..., half:], x[..., :half]], dim=-1)

    def new_cache(self, batch, max_len):
        shape = (self.n_layers, batch, self.n_kv, max_len, self.head_dim)
        return {"k": torch.zeros(shape, device=self.device, dtype=self.dtype),
                "v": torch.zeros(shape, device=self.device, dtype=self.dtype), "len": 0}

    def forward(self, ids, cache, last_only=False):
        """ids [B, T] -> logits [B, T, V] (last_only: [B, 1, V], as generate() needs);
        appends T positions to the cache."""
        B, T = ids.shape
        start = cache["len"]
        end = start + T
        x = self.w["model.embed_tokens.weight"][ids]                         # [B, T, H]
        cos, sin = self.rope(torch.arange(start, end, device=self.device))    # [T, hd]
        # causal mask over the cached + new positions: query t sees keys <= start + t
        mask = None
        if T > 1:
            mask = torch.full((T, end), float("-inf"), device=self.device)
            mask = torch.triu(mask, diagonal=start + 1)
        group = self.n_heads // self.n_kv
        scale = 1.0 / math.sqrt(self.head_dim)
        for i in range(self.n_layers):
            p = f"model.layers.{i}."
            h = self.rms_norm(x, self.w[p + "input_layernorm.weight"])
            q = linear(h, self.w[p + "self_attn.q_proj.weight"]).view(B, T, self.n_heads, self.head_dim)
            k = linear(h, self.w[p + "self_attn.k_proj.weight"]).view(B, T, self.n_kv, self.head_dim)
            v = linear(h, self.w[p + "self_attn.v_proj.weight"]).view(B, T, self.n_kv, self.head_dim)
            if self.qk_norm:  # Qwen3: RMSNorm over head_dim, per head, before RoPE
                q = self.rms_norm(q, self.w[p + "self_attn.q_norm.weight"])
                k = self.rms_norm(k, self.w[p + "self_attn.k_norm.weight"])
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # [B, heads, T, hd]
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            cache["k"][i, :, :, start:end] = k
            cache["v"][i, :, :, start:end] = v
            keys = cache["k"][i, :, :, :end].repeat_interleave(group, dim=1)      # [B, heads, end, hd]
            values = cache["v"][i, :, :, :end].repeat_interleave(group, dim=1)
            scores = (q @ keys.transpose(-1, -2)) * scale                         # [B, heads, T, end]
            if mask is not None:
                scores = scores + mask
            probs = torch.softmax(scores.float(), dim=-1).to(self.dtype)
            attn = (probs @ values).transpose(1, 2).reshape(B, T, self.n_heads * self.head_dim)
            x = x + linear(attn, self.w[p + "self_attn.o_proj.weight"])
            h = self.rms_norm(x, self.w[p + "post_attention_layernorm.weight"])
            gate = linear(h, self.w[p + "mlp.gate_proj.weight"])
            up = linear(h, self.w[p + "mlp.up_proj.weight"])
            x = x + linear(torch.nn.functional.silu(gate) * up, self.w[p + "mlp.down_proj.weight"])
        cache["len"] = end
        if last_only:
            x = x[:, -1:]
        x = self.rms_norm(x, self.w["model.norm.weight"])
        return linear(x, self.lm_head)


# ---------------------------------------------------------------------------- workload
def prompt_ids(batch, length, vocab):
    """The benchmark prompt, shared with the C++ side: row b, position t ->
    (1 + 7919*t + 104729*b) mod vocab (deterministic, no padding)."""
    return [[(1 + 7919 * t + 104729 * b) % vocab for t in range(length)] for b in range(batch)]


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def run_once(model, ids, new_tokens, device):
    """Prefill the prompt, then greedy-decode new_tokens steps. Returns timings and the tokens."""
    B, P = ids.shape
    cache = model.new_cache(B, P + new_tokens)
    sync(device)
    t0 = time.perf_counter()
    logits = model.forward(ids, cache, last_only=True)
    sync(device)
    t1 = time.perf_counter()
    prefill_logits = logits[:, -1].float().cpu()
    nxt = logits[:, -1].argmax(-1, keepdim=True)
    generated = [nxt]
    for _ in range(new_tokens - 1):
        logits = model.forward(nxt, cache, last_only=True)
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        generated.append(nxt)
    sync(device)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, prefill_logits, torch.cat(generated, dim=1).cpu()


def selfcheck(fixtures):
    """Our peer must itself be right: compare with the HF goldens of the tiny Qwen3."""
    gold_full = json.load(open(os.path.join(fixtures, "tiny-qwen3", "golden_logits_full.json")))
    gold_step = json.load(open(os.path.join(fixtures, "tiny-qwen3", "golden_step_logits.json")))
    worst = 0.0
    for name in ("tied", "untied"):
        m = Decoder(os.path.join(fixtures, "tiny-qwen3", name), "cpu", torch.float32)
        for case in gold_full[name].values():
            ids = torch.tensor([case["prompt_ids"]])
            got = m.forward(ids, m.new_cache(1, ids.shape[1]))[0]
            worst = max(worst, (got - torch.tensor(case["logits"])).abs().max().item())
        g = gold_step[name]
        ids = g["prompt_ids"] + g["generated_ids"]
        cache = m.new_cache(1, len(ids))
        logits = m.forward(torch.tensor([g["prompt_ids"]]), cache)[0, -1]
        for t, want in enumerate(g["step_logits"]):  # KV-cache decode, one token at a time
            worst = max(worst, (logits - torch.tensor(want)).abs().max().item())
            if t + 1 < len(g["step_logits"]):
                logits = m.forward(torch.tensor([[g["generated_ids"][t]]]), cache)[0, -1]
    return {"max_abs_logit_diff_vs_hf": worst, "ok": worst < 1e-4}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--prompt-len", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", default=None, help="float32 (CPU default) or bfloat16 (CUDA default)")
    ap.add_argument("--logits-out", help="write the last-position prefill logits of every batch size here (JSON)")
    ap.add_argument("--selfcheck", metavar="FIXTURES", help="check against the tiny-qwen3 HF goldens first")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_grad_enabled(False)
    dtype = getattr(torch, a.dtype) if a.dtype else (torch.bfloat16 if a.device.startswith("cuda") else torch.float32)
    out = {"peer": f"PyTorch {torch.__version__} eager (Python)", "threads": a.threads,
           "device": a.device, "dtype": str(dtype).replace("torch.", "")}
    if a.selfcheck:
        out["selfcheck"] = selfcheck(a.selfcheck)
        if not out["selfcheck"]["ok"]:
            print(json.dumps(out))
            sys.exit("torch_model.py: the peer disagrees with the HF goldens")

    t = time.perf_counter()
    model = Decoder(a.model, a.device, dtype)
    out["load_s"] = time.perf_counter() - t
    out["param_bytes"] = model.param_bytes()
    out["runs"] = []
    dumped = {}
    for B in a.batch:
        ids = torch.tensor(prompt_ids(B, a.prompt_len, model.vocab), device=a.device)
        run_once(model, ids[:, : min(4, a.prompt_len)], 2, a.device)  # warm-up
        best_p, best_d = float("inf"), float("inf")
        for _ in range(a.repeats):
            tp, td, logits, gen = run_once(model, ids, a.new_tokens, a.device)
            best_p, best_d = min(best_p, tp), min(best_d, td)
        out["runs"].append({
            "batch": B, "prompt_len": a.prompt_len, "new_tokens": a.new_tokens,
            "prefill_s": best_p, "decode_s": best_d,
            "prefill_tokens_per_s": B * a.prompt_len / best_p,
            # the first new token comes from the prefill; decode makes new_tokens-1 steps
            "decode_tokens_per_s": B * (a.new_tokens - 1) / best_d if a.new_tokens > 1 else 0.0,
            "generated_ids": gen.tolist(),
        })
        dumped[str(B)] = logits.tolist()
    if a.logits_out:
        with open(a.logits_out, "w") as f:
            json.dump(dumped, f)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
