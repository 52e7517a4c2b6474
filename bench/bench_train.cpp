// Training-step throughput of our runtime, measured next to bench/peers/train_step.py (PyTorch eager).
//
//   bench_train sft  (--model DIR | --random tiny-qwen3 --save-model DIR) [--lora R --adapter-out DIR]
//                    [--seq-len L] [--batch B] [--steps N] [--gradient-checkpointing] [--threads=N]
//   bench_train grpo (--model DIR | --random tiny-qwen3 --save-model DIR) [--lora R --adapter-out DIR]
//                    [--prompts N] [--k K] [--prompt-len P] [--completion-len T] [--micro-batch M]
//                    [--steps S] [--rollouts-out FILE] [--gradient-checkpointing] [--no-old-logprobs] [--threads=N]
//   bench_train generate --model DIR [--prompts N] [--k K] [--prompt-len P] [--completion-len T] [--repeats R]
//
// sft: one optimiser step exactly as core/train/sft.cpp runs it: lm::token_logprobs (chunked selective
//   log-softmax, with_argmax, training), masked NLL over the assistant tokens divided by their count,
//   backward, clip_grad_norm_(1.0), torch::optim::AdamW step (lr 1e-4, betas 0.9/0.999, eps 1e-8,
//   weight decay 0.01), refresh_derived after a full fine-tuning step. The batch (make_sft_batch):
//   row b, position t -> (1 + 7919·t + 104729·b) mod vocab, L tokens per row, prompt_len_b = L/2 − 8·b.
// grpo: one step as core/train/grpo.cpp + rollout.cpp run it: lm::generate (temperature 1, stop ids =
//   the config's eos ids, seed 1000003·step) of K completions per prompt (prompt n, position t ->
//   (3 + 7919·t + 104729·n) mod vocab), synthetic rewards (the fraction of even ids in the completion:
//   there is no tokenizer or answer to parse), group advantages (advantage.h), completion mask
//   (rollout_mask.h), old (unless --no-old-logprobs: num_iterations 1, ratio 1) and reference log-probs without grad (reference: a frozen clone under full
//   fine-tuning, the base weights under LoRA), then per micro-batch token_logprobs (training, entropy),
//   grpo_loss (bnpo, beta 0.04, eps 0.2, grad_accum = micro-batches), backward; clip 1.0; AdamW step.
// LoRA: alpha 2r, dropout 0 (a dropout mask could not be replayed by the peer), B drawn from N(0, 0.02)
//   (seed 1) instead of PEFT's zeros, so the adapter changes the loss and its gradient is not trivial.
//
// Prints one JSON object with per-step losses and seconds, tokens/s and the peak RSS (getrusage).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/version.h>
#include <nlohmann/json.hpp>

#include "bench_options.h"
#include "common/error.h"
#include "lm/allocator.h"
#include "lm/cpu_threads.h"
#include "lm/generate.h"
#include "lm/logprobs.h"
#include "lm/lora.h"
#include "lm/model.h"
#include "train/advantage.h"
#include "train/grpo_loss.h"
#include "train/rollout_mask.h"
#include "train/sft_data.h"

using namespace ps;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // Linux: kilobytes
}

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr,
               "bench_train: %s\nusage: bench_train sft|grpo|generate (--model DIR | --random tiny-qwen3 --save-model DIR) "
               "[--lora R --adapter-out DIR] [--seq-len L] [--batch B] [--prompts N] [--k K] [--prompt-len P] "
               "[--completion-len T] [--micro-batch M] [--steps S] [--repeats R] [--rollouts-out FILE] "
               "[--gradient-checkpointing] [--threads=N]\n",
               msg.c_str());
  std::exit(2);
}

struct Args {
  std::string mode, model_dir, random_shape, save_model, adapter_out, rollouts_out;
  int64_t lora = 0, seq_len = 512, batch = 4, steps = 3, prompts = 4, k = 8, prompt_len = 64, completion_len = 128,
          micro_batch = 0, repeats = 1;
  bool checkpointing = false;
  bool old_logprobs = true;  // grpo: also the old policy's log-probs (as with num_iterations > 1)
};

struct Setup {
  std::unique_ptr<lm::Model> model;
  std::unique_ptr<lm::Model> reference;  // full fine-tuning GRPO only
  std::shared_ptr<lm::LoraAdapter> adapter;
  std::vector<at::Tensor> params;
};

Setup make_setup(const Args& a, bool need_reference) {
  Setup s;
  if (!a.model_dir.empty()) {
    s.model = std::make_unique<lm::Model>(lm::Model::load(a.model_dir));
  } else {
    if (a.random_shape != "tiny-qwen3") usage("unknown --random shape '" + a.random_shape + "'");
    lm::ModelConfig c = lm::tiny_qwen3_config();
    c.eos_token_ids = {c.vocab_size - 1};
    s.model = std::make_unique<lm::Model>(lm::Model::init_random(c, 0));
    if (a.save_model.empty()) usage("--random needs --save-model DIR (the peer loads the same weights)");
  }
  if (!a.save_model.empty()) s.model->save(a.save_model);
  if (a.mode == "generate") return s;
  if (a.lora > 0) {
    s.model->set_trainable(false);
    lm::LoraConfig lc;
    lc.r = a.lora;
    lc.alpha = 2.0 * a.lora;
    lc.dropout = 0.0;
    s.adapter = lm::LoraAdapter::create(s.model->config(), lc, 0);
    {
      at::NoGradGuard ng;
      auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
      for (auto& [name, t] : s.adapter->named_parameters())
        if (name.find("lora_B") != std::string::npos) t.normal_(0.0, 0.02, gen);
    }
    s.model->attach_adapter(s.adapter);
    if (!a.adapter_out.empty()) s.adapter->save(a.adapter_out);
    s.params = s.adapter->parameters();
  } else {
    if (need_reference) s.reference = std::make_unique<lm::Model>(s.model->clone());
    for (auto& [n, t] : s.model->set_trainable(true)) s.params.push_back(t);
  }
  return s;
}

torch::optim::AdamW make_optimizer(const std::vector<at::Tensor>& params) {
  return torch::optim::AdamW(params, torch::optim::AdamWOptions(1e-4).betas({0.9, 0.999}).eps(1e-8).weight_decay(0.01));
}

int64_t count(const std::vector<at::Tensor>& ps_) {
  int64_t n = 0;
  for (const auto& t : ps_) n += t.numel();
  return n;
}

// ------------------------------------------------------------------------------------ SFT
json run_sft(const Args& a) {
  Setup s = make_setup(a, false);
  const int64_t V = s.model->config().vocab_size, B = a.batch, L = a.seq_len;
  if (L / 2 - 8 * (B - 1) < 1) usage("--seq-len too short for --batch (prompt_len_b = L/2 - 8b must be >= 1)");
  std::vector<train::SftExample> ex(B);
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t t = 0; t < L; ++t) ex[b].ids.push_back((1 + 7919 * t + 104729 * b) % V);
    ex[b].prompt_len = L / 2 - 8 * b;
  }
  std::vector<const train::SftExample*> ptrs;
  for (auto& e : ex) ptrs.push_back(&e);
  train::SftBatch batch = train::make_sft_batch(ptrs, /*pad_id=*/0);
  auto optim = make_optimizer(s.params);
  lm::LogprobOptions lo;
  lo.with_argmax = true;
  lo.training = true;
  lo.gradient_checkpointing = a.checkpointing;
  json losses = json::array(), secs = json::array(), norms = json::array();
  double best = 1e300;
  for (int64_t step = 0; step < a.steps; ++step) {
    const auto ts = Clock::now();
    optim.zero_grad();
    auto out = lm::token_logprobs(*s.model, batch.ids, batch.attention, batch.positions, L - 1, lo);  // [B, L-1]
    at::Tensor mask = batch.loss_mask;
    at::Tensor nll = -(out.logprobs * mask).sum() / static_cast<double>(batch.loss_tokens);
    const double v = nll.item<double>();
    nll.backward();
    at::Tensor tgt = batch.ids.narrow(1, 1, L - 1);
    const double correct = (out.argmax.eq(tgt).to(at::kFloat) * mask).sum().item<double>();
    (void)correct;
    const double gn = torch::nn::utils::clip_grad_norm_(s.params, 1.0);
    optim.step();
    if (!s.adapter) s.model->refresh_derived();
    const double dt = since(ts);
    best = std::min(best, dt);
    losses.push_back(v);
    norms.push_back(gn);
    secs.push_back(dt);
  }
  return {{"mode", "sft"}, {"losses", losses}, {"grad_norms", norms}, {"step_s", secs},
          {"tokens", batch.tokens}, {"loss_tokens", batch.loss_tokens},
          {"tokens_per_s", batch.tokens / best}, {"trainable_params", count(s.params)}};
}

// ------------------------------------------------------------------------------------ GRPO
std::vector<std::vector<int64_t>> grpo_prompts(int64_t n, int64_t len, int64_t vocab) {
  std::vector<std::vector<int64_t>> p(n, std::vector<int64_t>(len));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < len; ++t) p[i][t] = (3 + 7919 * t + 104729 * i) % vocab;
  return p;
}

json run_generate(const Args& a) {
  Setup s = make_setup(a, false);
  const auto& cfg = s.model->config();
  auto prompts = grpo_prompts(a.prompts, a.prompt_len, cfg.vocab_size);
  std::vector<std::vector<int64_t>> rows;
  for (int64_t r = 0; r < a.prompts * a.k; ++r) rows.push_back(prompts[r / a.k]);
  lm::GenerationConfig g;
  g.max_new_tokens = a.completion_len;
  g.temperature = 1.0;
  {  // warm-up
    lm::GenerationConfig w = g;
    w.max_new_tokens = 2;
    lm::generate(*s.model, rows, w);
  }
  double best = 1e300;
  int64_t tokens = 0;
  for (int64_t r = 0; r < a.repeats; ++r) {
    g.seed = static_cast<uint64_t>(r);
    const auto t0 = Clock::now();
    auto gens = lm::generate(*s.model, rows, g);
    const double dt = since(t0);
    if (dt < best) {
      best = dt;
      tokens = 0;
      for (const auto& x : gens) tokens += x.generated_tokens;
    }
  }
  return {{"mode", "generate"}, {"rows", rows.size()}, {"seconds", best}, {"generated_tokens", tokens},
          {"tokens_per_s", tokens / best}};
}

json run_grpo(const Args& a) {
  Setup s = make_setup(a, true);
  lm::Model& model = *s.model;
  const auto& cfg = model.config();
  const int64_t N = a.prompts, K = a.k, Bt = N * K, Lp = a.prompt_len;
  const int64_t micro = a.micro_batch > 0 ? a.micro_batch : Bt;
  if (Bt % micro != 0) usage("--micro-batch must divide prompts x k");
  std::vector<int64_t> stop_ids = cfg.eos_token_ids;
  if (stop_ids.empty()) stop_ids = {cfg.vocab_size - 1};
  const int64_t pad_id = 0;
  auto prompts = grpo_prompts(N, Lp, cfg.vocab_size);
  auto optim = make_optimizer(s.params);
  train::GrpoLossConfig lc;
  lc.beta = 0.04;
  lc.loss_type = train::LossType::Bnpo;
  lc.max_completion_length = a.completion_len;
  lc.grad_accum_steps = Bt / micro;
  train::AdvantageConfig ac;
  ac.num_generations = K;
  json steps = json::array();
  double best_step = 1e300, best_rollout = 1e300;
  int64_t best_tokens = 0;
  for (int64_t step = 0; step < a.steps; ++step) {
    const auto ts = Clock::now();
    // --- rollouts (rollout.cpp): prompt-major rows, one generate call for all rows
    lm::GenerationConfig g;
    g.max_new_tokens = a.completion_len;
    g.temperature = 1.0;
    g.stop_ids = stop_ids;
    g.pad_id = pad_id;
    g.seed = 1000003ULL * static_cast<uint64_t>(step);
    std::vector<std::vector<int64_t>> rows;
    for (int64_t r = 0; r < Bt; ++r) rows.push_back(prompts[r / K]);
    std::vector<std::vector<int64_t>> completions(Bt);
    int64_t generated = 0;
    {
      at::NoGradGuard ng;
      auto gens = lm::generate(model, rows, g);
      for (int64_t r = 0; r < Bt; ++r) completions[r] = gens[r].ids, generated += gens[r].generated_tokens;
    }
    const double rollout_s = since(ts);
    // --- rewards (synthetic) and advantages
    std::vector<double> rewards(Bt);
    for (int64_t r = 0; r < Bt; ++r) {
      int64_t even = 0;
      for (int64_t id : completions[r]) even += id % 2 == 0;
      rewards[r] = completions[r].empty() ? 0.0 : double(even) / double(completions[r].size());
    }
    auto adv = train::compute_advantages(rewards, ac);
    auto cb = train::build_completion_batch(completions, stop_ids, pad_id, false);
    const int64_t T = cb.ids.size(1);
    // --- training rows: [prompt | completion], completions right-padded (grpo.cpp make_rows)
    std::vector<int64_t> flat_ids, flat_att;
    auto cids = cb.ids.accessor<int64_t, 2>();
    for (int64_t r = 0; r < Bt; ++r) {
      for (int64_t t = 0; t < Lp; ++t) flat_ids.push_back(prompts[r / K][t]), flat_att.push_back(1);
      const int64_t len = static_cast<int64_t>(completions[r].size());
      for (int64_t t = 0; t < T; ++t) flat_ids.push_back(cids[r][t]), flat_att.push_back(t < len);
    }
    at::Tensor all_ids = at::tensor(flat_ids, at::kLong).view({Bt, Lp + T});
    at::Tensor all_att = at::tensor(flat_att, at::kLong).view({Bt, Lp + T});
    at::Tensor all_pos = lm::positions_from_mask(all_att);
    const auto t_fixed = Clock::now();
    lm::LogprobOptions lo;
    lo.temperature = 1.0;
    std::vector<at::Tensor> old_lp, ref_lp;
    {
      at::NoGradGuard ng;
      for (int64_t b0 = 0; b0 < Bt; b0 += micro) {
        at::Tensor i = all_ids.narrow(0, b0, micro), m = all_att.narrow(0, b0, micro), p = all_pos.narrow(0, b0, micro);
        old_lp.push_back(a.old_logprobs ? lm::token_logprobs(model, i, m, p, T, lo).logprobs : at::Tensor());
        if (s.reference) {
          ref_lp.push_back(lm::token_logprobs(*s.reference, i, m, p, T, lo).logprobs);
        } else {
          lm::LogprobOptions r = lo;
          r.use_adapter = false;
          ref_lp.push_back(lm::token_logprobs(model, i, m, p, T, r).logprobs);
        }
      }
    }
    const double fixed_s = since(t_fixed);
    // --- loss, backward, clip, step
    const auto t_train = Clock::now();
    optim.zero_grad();
    lm::LogprobOptions tl = lo;
    tl.training = true;
    tl.with_entropy = true;
    tl.gradient_checkpointing = a.checkpointing;
    double loss = 0, kl = 0;
    for (int64_t b0 = 0, m = 0; b0 < Bt; b0 += micro, ++m) {
      at::Tensor i = all_ids.narrow(0, b0, micro), am = all_att.narrow(0, b0, micro), p = all_pos.narrow(0, b0, micro);
      auto out = lm::token_logprobs(model, i, am, p, T, tl);
      train::GrpoLossInputs in;
      in.logp = out.logprobs;
      in.old_logp = old_lp[m];
      in.ref_logp = ref_lp[m];
      in.advantages = adv.advantages.narrow(0, b0, micro);
      in.completion_mask = cb.mask.narrow(0, b0, micro);
      auto r = train::grpo_loss(lc, in);
      loss += r.loss.item<double>();
      kl += r.kl * micro / Bt;
      r.loss.backward();
    }
    const double gn = torch::nn::utils::clip_grad_norm_(s.params, 1.0);
    optim.step();
    if (!s.adapter) model.refresh_derived();
    const double dt = since(ts);
    if (step == 0 && !a.rollouts_out.empty()) {
      std::ofstream(a.rollouts_out) << json{{"prompts", prompts}, {"k", K}, {"completions", completions},
                                            {"stop_ids", stop_ids}, {"pad_id", pad_id}}.dump();
    }
    steps.push_back({{"loss", loss}, {"kl", kl}, {"grad_norm", gn}, {"seconds", dt}, {"rollout_s", rollout_s},
                     {"old_ref_logprobs_s", fixed_s}, {"train_s", since(t_train)}, {"generated_tokens", generated}, {"completion_T", T}});
    if (dt < best_step) best_step = dt;
    if (rollout_s < best_rollout) best_rollout = rollout_s, best_tokens = generated;
  }
  return {{"mode", "grpo"}, {"steps", steps}, {"best_step_s", best_step}, {"best_rollout_s", best_rollout},
          {"rollout_tokens_per_s", best_tokens / best_rollout}, {"rows", Bt}, {"micro_batch", micro},
          {"trainable_params", count(s.params)}};
}

}  // namespace

int main(int argc, char** argv) {
  ps::lm::restart_with_passive_openmp_waits(argv);  // see lm/cpu_threads.h
  ps::bench::Options opt = ps::bench::take_options(&argc, argv);
  if (argc < 2) usage("give a mode: sft, grpo or generate");
  Args a;
  a.mode = argv[1];
  if (a.mode != "sft" && a.mode != "grpo" && a.mode != "generate") usage("unknown mode '" + a.mode + "'");
  for (int i = 2; i < argc; ++i) {
    std::string o = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(o + " needs a value");
      return argv[++i];
    };
    auto integer = [&]() -> int64_t {
      std::string v = value();
      char* end = nullptr;
      long long x = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || x < 0) usage(o + " needs a non-negative integer, got '" + v + "'");
      return x;
    };
    if (o == "--model") a.model_dir = value();
    else if (o == "--random") a.random_shape = value();
    else if (o == "--save-model") a.save_model = value();
    else if (o == "--adapter-out") a.adapter_out = value();
    else if (o == "--rollouts-out") a.rollouts_out = value();
    else if (o == "--lora") a.lora = integer();
    else if (o == "--seq-len") a.seq_len = integer();
    else if (o == "--batch") a.batch = integer();
    else if (o == "--steps") a.steps = integer();
    else if (o == "--prompts") a.prompts = integer();
    else if (o == "--k") a.k = integer();
    else if (o == "--prompt-len") a.prompt_len = integer();
    else if (o == "--completion-len") a.completion_len = integer();
    else if (o == "--micro-batch") a.micro_batch = integer();
    else if (o == "--repeats") a.repeats = integer();
    else if (o == "--gradient-checkpointing") a.checkpointing = true;
    else if (o == "--no-old-logprobs") a.old_logprobs = false;
    else usage("unknown option " + o);
  }
  if (a.model_dir.empty() == a.random_shape.empty()) usage("give exactly one of --model, --random");
  if (a.steps < 1 || a.batch < 1 || a.k < 1 || a.prompts < 1 || a.repeats < 1 || a.seq_len < 2)
    usage("--steps, --batch, --k, --prompts, --repeats must be >= 1 and --seq-len >= 2");
  if (opt.device != "cpu") usage("bench_train runs on the CPU only (float32, as the peer compares)");
  try {
    at::set_num_threads(opt.threads);
    ps::lm::keep_freed_memory_for_reuse();  // as the CLI does; see lm/allocator.h
    json out = a.mode == "sft" ? run_sft(a) : a.mode == "grpo" ? run_grpo(a) : run_generate(a);
    out["impl"] = std::string("PerturbScope (C++/libtorch ") + TORCH_VERSION + ")";
    out["threads"] = opt.threads;
    out["peak_rss_mb"] = peak_rss_mb();
    std::printf("%s\n", out.dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
  return 0;
}
