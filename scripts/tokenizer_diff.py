#!/usr/bin/env python3
"""Differential fuzzing of our tokenizer against Hugging Face `tokenizers` (issue 15).

Generates random Unicode texts (mixed scripts, emoji and ZWJ sequences, combining marks, whitespace
runs, digits, control characters, contractions, the tokenizer's own added tokens, random code points),
encodes them with ours (bench_tokenizer_ids --format jsonl) and with HF tokenizers' Node binding
(bench/peers/tokenize.js --impl hf) from the same tokenizer.json, and stops at the first text whose
ids differ: the text is saved (raw UTF-8 and JSON, with both id lists) under --out.
Run through scripts/tokenizer_diff.sh, which installs the peer and builds our tool.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

SCRIPTS = [
    (0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x017F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0590, 0x05FF),
    (0x0600, 0x06FF), (0x0900, 0x097F), (0x0E00, 0x0E7F), (0x1100, 0x11FF), (0x3040, 0x30FF), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3), (0x1F300, 0x1FAFF), (0x2000, 0x206F), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x0660, 0x0669),
    (0x06F0, 0x06F9), (0x0966, 0x096F), (0x2460, 0x24FF), (0x10000, 0x1007F),
]
WHITESPACE = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2028", "\u2029", "\u000b", "\u000c",
              "\u0085", "\u200b", "\u2009", "\u202f", "\ufeff"]
EMOJI = ["\U0001F600", "\U0001F44D\U0001F3FD", "\U0001F469\u200d\U0001F4BB", "\U0001F1E9\U0001F1EA",
         "\u2764\ufe0f", "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466", "#\ufe0f\u20e3", "\U0001F9EC"]
COMBINING = ["\u0301", "\u0300", "\u0308", "\u0327", "\u0323\u0302", "\u20dd", "\u0e31", "\u093f", "\u302a"]
WORDS = ["the", " The", "GATA1", "KLF1", "knock-down", "CRISPRi", "’s", "'s", "'S", "'ll", "'LL", "'re", "n't",
         "I'm", "x", "://", "...", "--", "==>", "{\"a\": 1}", "<answer>", "</answer>", "α-β", "ﬁ", "Å", "Å", "é",
         "é", "한", "한", "가"]


def piece(rng, added):
    k = rng.random()
    if k < 0.18:
        return rng.choice(WORDS)
    if k < 0.30:
        return "".join(rng.choice(WHITESPACE) for _ in range(rng.randint(1, 6)))
    if k < 0.40:
        return "".join(chr(rng.randint(0x30, 0x39)) for _ in range(rng.randint(1, 12)))
    if k < 0.47:
        return rng.choice(EMOJI)
    if k < 0.53:
        return rng.choice(COMBINING)
    if k < 0.58:  # C0/C1 controls and DEL
        return chr(rng.choice(list(range(0, 32)) + [127] + list(range(0x80, 0xA0))))
    if k < 0.62 and added:
        return rng.choice(added)
    if k < 0.70:  # any scalar value (no surrogates)
        while True:
            c = rng.randint(0, 0x10FFFF)
            if not 0xD800 <= c <= 0xDFFF:
                return chr(c)
    if k < 0.75:
        return "".join(chr(rng.randint(0x21, 0x7E)) for _ in range(rng.randint(1, 8)))
    lo, hi = rng.choice(SCRIPTS)
    return "".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 10)))


def text(rng, added):
    return "".join(piece(rng, added) for _ in range(rng.randint(1, 24)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--ours", required=True, help="bench_tokenizer_ids")
    ap.add_argument("--peer", required=True, help="bench/peers/tokenize.js")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--batch", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    seed = a.seed if a.seed is not None else int(time.time())
    added = [t["content"] for t in json.load(open(a.tokenizer, encoding="utf-8")).get("added_tokens", [])]
    rng = random.Random(seed)
    corpus, ours, hf = (os.path.join(a.out, n) for n in ("texts.jsonl", "ours.txt", "hf.txt"))
    start, total, rounds = time.time(), 0, 0
    while rounds == 0 or time.time() - start < a.seconds:
        texts = [text(rng, added) for _ in range(a.batch)]
        with open(corpus, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps(t) + "\n")
        subprocess.run([a.ours, "--tokenizer", a.tokenizer, "--corpus", corpus, "--ids-out", ours, "--format", "jsonl"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["node", a.peer, "--impl", "hf", "--tokenizer", a.tokenizer, "--corpus", corpus, "--ids-out", hf,
                        "--format", "jsonl", "--repeats", "1"], check=True, stdout=subprocess.DEVNULL)
        mine = open(ours, encoding="utf-8").read().split("\n")[: len(texts)]
        theirs = open(hf, encoding="utf-8").read().split("\n")[: len(texts)]
        for i, t in enumerate(texts):
            if mine[i] != theirs[i]:
                path = os.path.join(a.out, "failure")
                with open(path + ".txt", "w", encoding="utf-8", newline="") as f:
                    f.write(t)
                with open(path + ".json", "w", encoding="utf-8") as f:
                    json.dump({"seed": seed, "text": t, "hf": [int(x) for x in theirs[i].split()],
                               "ours": [int(x) for x in mine[i].split()]}, f, ensure_ascii=True)
                    f.write("\n")
                print(f"tokenizer_diff: ids differ on text {total + i} (seed {seed}): {json.dumps(t)}\n"
                      f"  hf:   {theirs[i]}\n  ours: {mine[i]}\n  saved: {path}.txt, {path}.json", file=sys.stderr)
                return 1
        total += len(texts)
        rounds += 1
    print(f"tokenizer_diff: {total} random texts, identical ids (seed {seed}, {time.time() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
