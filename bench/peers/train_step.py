#!/usr/bin/env python3
"""The PyTorch-eager peer of bench_train: the same SFT and GRPO steps written the way a
PyTorch user writes them without `transformers`/`trl`/`peft` (which Debian does not ship):
a Qwen3 forward with autograd, one row's logits at a time and logsumexp-gather (TRL's loop), LoRA as two extra
`F.linear` per projection, `clip_grad_norm_`, `torch.optim.AdamW`. Weights and adapters are
the folders bench_train wrote (HF / PEFT layout), read with torch_model.read_safetensors.

  train_step.py sft  --model DIR [--adapter DIR] [--seq-len L] [--batch B] [--steps N] [--threads T]
  train_step.py grpo --model DIR [--adapter DIR] [--prompts N] [--k K] [--prompt-len P]
                     [--completion-len T] [--micro-batch M] [--steps S] [--replay FILE] [--threads T]
  train_step.py generate --model DIR [--prompts N] [--k K] [--prompt-len P] [--completion-len T] [--repeats R]

The batches and prompts use bench_train's formulas (see bench/bench_train.cpp). grpo --replay
first runs one step on the rollouts bench_train wrote (same weights, same rollouts: the loss
must agree), then S steps with its own sampling loop (KV cache, temperature 1), timed whole.
Prints one JSON object.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.utils.checkpoint
from torch.nn.functional import linear, silu

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_model import Decoder, load_weights, read_safetensors  # noqa: E402

TARGETS = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn", "o_proj": "self_attn",
           "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}


class Policy:
    """Qwen3 with autograd; full fine-tuning (every weight a leaf) or a LoRA adapter."""

    def __init__(self, model_dir, adapter_dir=None):
        cfg = json.load(open(os.path.join(model_dir, "config.json")))
        self.cfg = cfg
        self.checkpointing = False  # recompute each layer in backward (--gradient-checkpointing)
        self.n_layers, self.n_heads = cfg["num_hidden_layers"], cfg["num_attention_heads"]
        self.n_kv = cfg.get("num_key_value_heads", self.n_heads)
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.n_heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.w = load_weights(model_dir)
        self.tied = "lm_head.weight" not in self.w
        self.inv_freq = 1.0 / (cfg.get("rope_theta", 10000.0) **
                               (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        self.lora, self.scaling = {}, 0.0
        if adapter_dir:
            ac = json.load(open(os.path.join(adapter_dir, "adapter_config.json")))
            self.scaling = ac["lora_alpha"] / (math.sqrt(ac["r"]) if ac.get("use_rslora") else ac["r"])
            for k, v in read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors")).items():
                self.lora[k] = v.requires_grad_()
        else:
            for v in self.w.values():
                v.requires_grad_()

    def lm_head(self):
        return self.w["model.embed_tokens.weight"] if self.tied else self.w["lm_head.weight"]

    def parameters(self):
        return list(self.lora.values()) if self.lora else list(self.w.values())

    def snapshot(self):
        """A frozen copy of the weights (the reference policy of full fine-tuning)."""
        ref = Policy.__new__(Policy)
        ref.__dict__.update(self.__dict__)
        ref.w = {k: v.detach().clone() for k, v in self.w.items()}
        ref.lora = {}
        return ref

    def proj(self, h, layer, name, use_adapter=True):
        p = f"model.layers.{layer}.{TARGETS[name]}.{name}"
        y = linear(h, self.w[p + ".weight"])
        if use_adapter and self.lora:
            a = self.lora.get(f"base_model.model.{p}.lora_A.weight")
            if a is not None:
                y = y + self.scaling * linear(linear(h, a), self.lora[f"base_model.model.{p}.lora_B.weight"])
        return y

    def rms_norm(self, x, weight):
        xf = x.float()
        return weight * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype)

    def hidden(self, ids, use_adapter=True):
        """ids [B, L] (right padding only: a causal mask keeps real tokens from seeing it) -> [B, L, H]."""
        B, L = ids.shape
        x = self.w["model.embed_tokens.weight"][ids]
        freqs = torch.arange(L, dtype=torch.float32)[:, None] * self.inv_freq[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.triu(torch.full((L, L), float("-inf")), diagonal=1)
        for i in range(self.n_layers):
            if self.checkpointing and torch.is_grad_enabled():
                # torch.utils.checkpoint: the layer's activations are recomputed in backward, as
                # lm::ForwardOptions::gradient_checkpointing does in ours.
                x = torch.utils.checkpoint.checkpoint(self.layer, x, i, cos, sin, mask, use_adapter, use_reentrant=False)
            else:
                x = self.layer(x, i, cos, sin, mask, use_adapter)
        return self.rms_norm(x, self.w["model.norm.weight"])

    def layer(self, x, i, cos, sin, mask, use_adapter=True):
        """One decoder layer: x [B, L, H] -> [B, L, H]."""
        B, L, _ = x.shape
        group, scale = self.n_heads // self.n_kv, 1.0 / math.sqrt(self.head_dim)
        rot = Decoder.rotate_half
        p = f"model.layers.{i}."
        h = self.rms_norm(x, self.w[p + "input_layernorm.weight"])
        q = self.proj(h, i, "q_proj", use_adapter).view(B, L, self.n_heads, self.head_dim)
        k = self.proj(h, i, "k_proj", use_adapter).view(B, L, self.n_kv, self.head_dim)
        v = self.proj(h, i, "v_proj", use_adapter).view(B, L, self.n_kv, self.head_dim)
        q = self.rms_norm(q, self.w[p + "self_attn.q_norm.weight"]).transpose(1, 2)
        k = self.rms_norm(k, self.w[p + "self_attn.k_norm.weight"]).transpose(1, 2)
        v = v.transpose(1, 2)
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        probs = torch.softmax((q @ k.transpose(-1, -2)) * scale + mask, dim=-1)
        attn = (probs @ v).transpose(1, 2).reshape(B, L, self.n_heads * self.head_dim)
        x = x + self.proj(attn, i, "o_proj", use_adapter)
        h = self.rms_norm(x, self.w[p + "post_attention_layernorm.weight"])
        x = x + self.proj(silu(self.proj(h, i, "gate_proj", use_adapter)) * self.proj(h, i, "up_proj", use_adapter),
                          i, "down_proj", use_adapter)
        return x

    def token_logprobs(self, ids, n_keep, use_adapter=True, entropy=False, argmax=False, temperature=1.0):
        """log softmax(logits / T)[next id] of the last n_keep targets: [B, n_keep] (HF: all logits at once)."""
        h = self.hidden(ids, use_adapter)[:, -n_keep - 1:-1]
        tgt = ids[:, -n_keep:]
        rows, extra = [], {"entropy": [], "argmax": []}
        for b in range(h.shape[0]):  # one row's logits at a time, as TRL's selective_log_softmax loops
            z = linear(h[b], self.lm_head()).float()  # [n_keep, V]
            if temperature != 1.0:
                z = z / temperature
            lse = torch.logsumexp(z, -1)
            rows.append(z.gather(-1, tgt[b].unsqueeze(-1)).squeeze(-1) - lse)
            with torch.no_grad():
                if entropy:
                    extra["entropy"].append(lse - (torch.softmax(z, -1) * z).sum(-1))
                if argmax:
                    extra["argmax"].append(z.argmax(-1))
        return torch.stack(rows), {k: torch.stack(v) for k, v in extra.items() if v}


def adamw(params):
    return torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


# ------------------------------------------------------------------------------------ SFT
def run_sft(a):
    pol = Policy(a.model, a.adapter)
    pol.checkpointing = a.gradient_checkpointing
    V, B, L = pol.cfg["vocab_size"], a.batch, a.seq_len
    ids = torch.tensor([[(1 + 7919 * t + 104729 * b) % V for t in range(L)] for b in range(B)])
    mask = torch.zeros(B, L - 1)
    for b in range(B):
        mask[b, max(0, L // 2 - 8 * b - 1):] = 1  # targets ids[t + 1] past the prompt
    loss_tokens = mask.sum()
    params = pol.parameters()
    opt = adamw(params)
    losses, secs = [], []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        logp, extra = pol.token_logprobs(ids, L - 1, argmax=True)
        loss = -(logp * mask).sum() / loss_tokens
        loss.backward()
        (extra["argmax"].eq(ids[:, 1:]).float() * mask).sum().item()  # token accuracy, as sft.cpp logs
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        secs.append(time.perf_counter() - t0)
        losses.append(loss.item())
    return {"mode": "sft", "losses": losses, "step_s": secs, "tokens": B * L, "tokens_per_s": B * L / min(secs)}


# ------------------------------------------------------------------------------------ GRPO
def prompts_for(n, length, vocab):
    return [[(3 + 7919 * t + 104729 * i) % vocab for t in range(length)] for i in range(n)]


def sample(pol, prompts, k, max_new, stop_ids, pad_id):
    """K completions per prompt (prompt-major), temperature 1, KV cache (torch_model.Decoder
    on the policy's current weights, merged LoRA not needed: full fine-tuning or the base)."""
    dec = Decoder.__new__(Decoder)
    dec.__dict__.update(dict(cfg=pol.cfg, n_layers=pol.n_layers, n_heads=pol.n_heads, n_kv=pol.n_kv,
                             head_dim=pol.head_dim, eps=pol.eps, qk_norm=True, device="cpu", dtype=torch.float32,
                             inv_freq=pol.inv_freq, vocab=pol.lm_head().shape[0]))
    dec.w = pol.merged_weights() if pol.lora else {n: t.detach() for n, t in pol.w.items()}
    dec.lm_head = dec.w["model.embed_tokens.weight"] if pol.tied else dec.w["lm_head.weight"]
    rows = torch.tensor([prompts[r // k] for r in range(len(prompts) * k)])
    B = rows.shape[0]
    cache = dec.new_cache(B, rows.shape[1] + max_new)
    done = torch.zeros(B, dtype=torch.bool)
    stops = torch.tensor(stop_ids)
    out = []
    with torch.no_grad():
        logits = dec.forward(rows, cache, last_only=True)[:, -1]
        for _ in range(max_new):
            nxt = torch.multinomial(torch.softmax(logits.float(), -1), 1).squeeze(1)
            nxt = torch.where(done, torch.full_like(nxt, pad_id), nxt)
            out.append(nxt)
            done = done | torch.isin(nxt, stops)
            if bool(done.all()):
                break
            logits = dec.forward(nxt[:, None], cache, last_only=True)[:, -1]
    gen = torch.stack(out, 1).tolist()
    completions = []
    for r in range(B):
        c = []
        for t in gen[r]:
            c.append(t)
            if t in stop_ids:
                break
        completions.append(c)
    return completions


def grpo_step(pol, ref, opt, params, prompts, k, completions, stop_ids, pad_id, micro, beta=0.04):
    """Rewards, advantages, mask, old/ref log-probs, bnpo loss, backward, clip, AdamW: the loss."""
    B = len(completions)
    rewards = torch.tensor([sum(t % 2 == 0 for t in c) / len(c) if c else 0.0 for c in completions], dtype=torch.float64)
    g = rewards.view(-1, k)
    adv = ((g - g.mean(1, keepdim=True)) / (g.std(1, keepdim=True) + 1e-4)).view(-1).float()
    T = max(len(c) for c in completions)
    ids_c = torch.full((B, T), pad_id, dtype=torch.long)
    M = torch.zeros(B, T)
    for r, c in enumerate(completions):
        ids_c[r, :len(c)] = torch.tensor(c, dtype=torch.long)
        s = next((t for t, x in enumerate(c) if x in stop_ids), len(c) - 1)
        M[r, :s + 1] = 1
    ids = torch.cat([torch.tensor([prompts[r // k] for r in range(B)]), ids_c], 1)
    chunks = [slice(b0, b0 + micro) for b0 in range(0, B, micro)]
    with torch.no_grad():
        old = [pol.token_logprobs(ids[c], T)[0] for c in chunks]
        refs = [(ref.token_logprobs(ids[c], T)[0] if ref is not None else pol.token_logprobs(ids[c], T, use_adapter=False)[0])
                for c in chunks]
    opt.zero_grad()
    total = 0.0
    for m, c in enumerate(chunks):
        logp, _ = pol.token_logprobs(ids[c], T, entropy=True)
        A = adv[c].unsqueeze(1)
        ratio = torch.exp(logp - old[m])
        per_token = -torch.minimum(ratio * A, torch.clamp(ratio, 0.8, 1.2) * A)
        d = refs[m] - logp
        per_token = per_token + beta * (torch.exp(d) - d - 1)
        Mm = M[c]
        loss = (per_token * Mm).sum() / Mm.sum().clamp(min=1.0) / len(chunks)
        loss.backward()
        total += loss.item()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    return total


def merged_weights(self):
    """Base weights with W + scaling·B·A folded in (for the sampling loop under LoRA)."""
    w = {n: t.detach() for n, t in self.w.items()}
    for key, a in self.lora.items():
        if ".lora_A." in key:
            p = key[len("base_model.model."):].replace(".lora_A.weight", ".weight")
            b = self.lora[key.replace("lora_A", "lora_B")]
            w[p] = w[p] + self.scaling * (b.detach() @ a.detach())
    return w


Policy.merged_weights = merged_weights


def run_grpo(a):
    pol = Policy(a.model, a.adapter)
    ref = None if a.adapter else pol.snapshot()
    params = pol.parameters()
    opt = adamw(params)
    V = pol.cfg["vocab_size"]
    out = {"mode": "grpo"}
    micro = a.micro_batch or a.prompts * a.k
    if a.replay:
        r = json.load(open(a.replay))
        t0 = time.perf_counter()
        out["replay_loss"] = grpo_step(pol, ref, opt, params, r["prompts"], r["k"], r["completions"], r["stop_ids"],
                                       r["pad_id"], micro)
        out["replay_loss_s"] = time.perf_counter() - t0
    eos = pol.cfg.get("eos_token_id")
    stop_ids = (eos if isinstance(eos, list) else [eos]) if eos is not None else [V - 1]
    prompts = prompts_for(a.prompts, a.prompt_len, V)
    steps = []
    torch.manual_seed(0)
    for _ in range(a.steps):
        t0 = time.perf_counter()
        comp = sample(pol, prompts, a.k, a.completion_len, stop_ids, 0)
        t1 = time.perf_counter()
        loss = grpo_step(pol, ref, opt, params, prompts, a.k, comp, stop_ids, 0, micro)
        t2 = time.perf_counter()
        steps.append({"loss": loss, "seconds": t2 - t0, "rollout_s": t1 - t0,
                      "generated_tokens": sum(len(c) for c in comp)})
    out["steps"] = steps
    if steps:
        best = min(steps, key=lambda s: s["seconds"])
        out["best_step_s"] = best["seconds"]
        br = min(steps, key=lambda s: s["rollout_s"])
        out["rollout_tokens_per_s"] = br["generated_tokens"] / br["rollout_s"]
    return out


def run_generate(a):
    dec = Decoder(a.model, "cpu", torch.float32)
    torch.set_grad_enabled(False)
    V = dec.vocab
    prompts = prompts_for(a.prompts, a.prompt_len, V)
    rows = torch.tensor([prompts[r // a.k] for r in range(a.prompts * a.k)])
    best, tokens = float("inf"), 0
    for rep in range(a.repeats + 1):  # the first is a warm-up
        torch.manual_seed(rep)
        cache = dec.new_cache(rows.shape[0], rows.shape[1] + a.completion_len)
        t0 = time.perf_counter()
        logits = dec.forward(rows, cache, last_only=True)[:, -1]
        n = 0
        for step in range(a.completion_len if rep else 2):
            nxt = torch.multinomial(torch.softmax(logits.float(), -1), 1)
            n += nxt.shape[0]
            if step + 1 < (a.completion_len if rep else 2):
                logits = dec.forward(nxt, cache, last_only=True)[:, -1]
        dt = time.perf_counter() - t0
        if rep and dt < best:
            best, tokens = dt, n
    return {"mode": "generate", "rows": int(rows.shape[0]), "seconds": best, "generated_tokens": tokens,
            "tokens_per_s": tokens / best}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["sft", "grpo", "generate"])
    ap.add_argument("--model", required=True)
    ap.add_argument("--adapter")
    ap.add_argument("--seq-len", type=int, default=512)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--prompts", type=int, default=4)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--prompt-len", type=int, default=64)
    ap.add_argument("--completion-len", type=int, default=128)
    ap.add_argument("--micro-batch", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--replay")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--gradient-checkpointing", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out = {"sft": run_sft, "grpo": run_grpo, "generate": run_generate}[a.mode](a)
    out["peer"] = f"PyTorch {torch.__version__} eager (Python)"
    out["threads"] = a.threads
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB
    print(json.dumps(out))


if __name__ == "__main__":
    main()
