#include "train/grpo.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include "common/crash_point.h"
#include "common/error.h"
#include "common/fileio.h"
#include "lm/logprobs.h"
#include "lm/lora.h"
#include "train/advantage.h"
#include "train/checkpoint.h"
#include "train/grpo_loss.h"
#include "train/learnability.h"
#include "train/lr_schedule.h"
#include "train/recorder.h"
#include "train/rollout.h"
#include "train/rollout_mask.h"
#include "train/stage_eval.h"
#include "train/task_data.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace ps::train {

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
json num(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// One optimiser step's training tensors: prompts left-padded to Lp, completions right-padded to T.
struct TrainRows {
  at::Tensor ids, attention, positions;  // [b, Lp + T]
  at::Tensor completion_mask;            // [b, T] float32
  int64_t T = 0;
};

TrainRows make_rows(const RolloutBatch& r, const CompletionBatch& cb, const std::vector<int64_t>& rows, int64_t pad_id) {
  int64_t Lp = 0;
  for (int64_t row : rows) Lp = std::max<int64_t>(Lp, static_cast<int64_t>(r.prompt_ids[row / r.k].size()));
  const int64_t T = cb.ids.size(1), b = static_cast<int64_t>(rows.size());
  TrainRows t;
  t.T = T;
  t.ids = at::full({b, Lp + T}, pad_id, at::kLong);
  t.attention = at::zeros({b, Lp + T}, at::kLong);
  t.completion_mask = at::zeros({b, T}, at::kFloat);
  auto ids = t.ids.accessor<int64_t, 2>();
  auto att = t.attention.accessor<int64_t, 2>();
  auto cids = cb.ids.accessor<int64_t, 2>();
  auto cmask = cb.mask.accessor<float, 2>();
  auto out_mask = t.completion_mask.accessor<float, 2>();
  for (int64_t i = 0; i < b; ++i) {
    const auto& p = r.prompt_ids[rows[i] / r.k];
    const int64_t n = static_cast<int64_t>(p.size());
    for (int64_t j = 0; j < n; ++j) ids[i][Lp - n + j] = p[j], att[i][Lp - n + j] = 1;
    const int64_t len = static_cast<int64_t>(r.completions[rows[i]].size());
    for (int64_t j = 0; j < T; ++j) {
      ids[i][Lp + j] = cids[rows[i]][j];
      att[i][Lp + j] = j < len ? 1 : 0;
      out_mask[i][j] = cmask[rows[i]][j];
    }
  }
  t.positions = lm::positions_from_mask(t.attention);
  return t;
}

}  // namespace

json GrpoResult::to_json() const {
  json j = {{"run_id", run_id}, {"run_dir", run_dir}, {"model_dir", model_dir}, {"steps", steps},
            {"skipped_steps", skipped_steps}, {"frac_reward_zero_std", num(frac_reward_zero_std)},
            {"frac_reward_zero_std_unfiltered", num(frac_reward_zero_std_unfiltered)},
            {"frac_zero_variance", num(frac_zero_variance)},
            {"frac_zero_variance_unfiltered", num(frac_zero_variance_unfiltered)}, {"pool_size", pool_size},
            {"pool_kept", pool_kept}, {"seconds", seconds}};
  if (!adapter_dir.empty()) j["adapter_dir"] = adapter_dir;
  add_eval_sets(j, evals);
  return j;
}

GrpoResult run_grpo(const GrpoConfig& cfg_in, store::Store& st, jobs::JobContext& ctx, int64_t resume_run_id) {
  const auto t0 = Clock::now();
  GrpoConfig cfg = cfg_in;
  const GrpoKnobs& G = cfg.grpo;
  if (G.threads > 0) at::set_num_threads(static_cast<int>(G.threads));

  // --- the starting policy -----------------------------------------------------------------
  std::string model_dir = cfg.init.model, adapter_dir = cfg.init.adapter, sft_finetune = adapter_dir.empty() ? "full" : "lora";
  std::string sft_item_sets;  // the SFT run's stored evaluation items: GRPO is evaluated on the same
  if (cfg.init.sft_run > 0) {
    auto run = st.get_run(cfg.init.sft_run);
    if (!run) throw Error("init.sft_run: no run with id " + std::to_string(cfg.init.sft_run) + " in " + st.path());
    if (run->kind != "sft") throw Error("init.sft_run: run " + std::to_string(cfg.init.sft_run) + " is a " + run->kind + " run");
    if (run->status != store::RunStatus::Finished)
      throw Error("init.sft_run: run " + std::to_string(cfg.init.sft_run) + " has not finished (" + store::to_string(run->status) + ")");
    json summary = json::parse(run->summary_json), conf = json::parse(run->config_json);
    model_dir = summary.at("model_dir").get<std::string>();
    adapter_dir = summary.value("adapter_dir", std::string());
    sft_finetune = conf.value("finetune", std::string("full"));
    // Inherited settings are recorded as this run's own (the stored config is what eval/ttc --run and a
    // resume read).
    if (!cfg.prompt_given && conf.contains("prompt")) {
      cfg.prompt = prompt::PromptConfig::from_json(conf["prompt"], "run " + std::to_string(cfg.init.sft_run) + " config");
      cfg.prompt_given = true;
    }
    if (!cfg.data_given && conf.contains("data")) {
      cfg.data.read(conf["data"], "run " + std::to_string(cfg.init.sft_run) + " config");
      cfg.data_given = true;
    }
    sft_item_sets = (fs::path(runs_root(st)) / std::to_string(cfg.init.sft_run) / "item_sets.json").string();
  }
  const std::string finetune = cfg.finetune == "auto" ? sft_finetune : cfg.finetune;
  Policy policy = Policy::load(model_dir, "", "", at::kCPU, at::kFloat);
  lm::Model& model = *policy.model;
  std::unique_ptr<lm::Model> reference;   // full fine-tuning with beta > 0: a frozen copy
  std::shared_ptr<lm::LoraAdapter> adapter, ref_adapter;
  NamedParams params;
  if (finetune == "lora") {
    model.set_trainable(false);
    if (!adapter_dir.empty() && cfg.init.lora_reference == "continue") {
      adapter = lm::LoraAdapter::load(adapter_dir, model.config());
      if (G.beta > 0) ref_adapter = lm::LoraAdapter::load(adapter_dir, model.config());
    } else {
      if (!adapter_dir.empty()) {  // merge the SFT adapter: the reference is the merged weights, adapter off
        model.attach_adapter(lm::LoraAdapter::load(adapter_dir, model.config()));
        model.merge_adapter();
      }
      lm::LoraConfig lc = cfg.lora;
      lc.base_model = model_dir;
      adapter = lm::LoraAdapter::create(model.config(), lc, cfg.seed);
    }
    model.attach_adapter(adapter);
    for (const auto& [n, t] : adapter->named_parameters()) params.emplace_back(n, t);
  } else {
    if (!adapter_dir.empty()) {
      model.attach_adapter(lm::LoraAdapter::load(adapter_dir, model.config()));
      model.merge_adapter();
    }
    if (G.beta > 0) reference = std::make_unique<lm::Model>(model.clone());
    params = model.set_trainable(true);
  }
  std::vector<at::Tensor> tensors;
  for (auto& [n, t] : params) tensors.push_back(t);
  torch::optim::AdamW optim(tensors, torch::optim::AdamWOptions(cfg.optim.lr)
                                         .betas({cfg.optim.beta1, cfg.optim.beta2})
                                         .eps(cfg.optim.eps)
                                         .weight_decay(cfg.optim.weight_decay));
  const int64_t pad_id = policy.tok.token_id("<|endoftext|>").value_or(policy.stop_ids.empty() ? 0 : policy.stop_ids[0]);

  // --- run ---------------------------------------------------------------------------------
  std::unique_ptr<Recorder> rec;
  std::string ckdir;
  if (resume_run_id > 0) {
    ckdir = (fs::path(runs_root(st)) / std::to_string(resume_run_id) / "checkpoint").string();
    rec = std::make_unique<Recorder>(st, resume_run_id, checkpoint_step(ckdir));
  } else {
    rec = std::make_unique<Recorder>(st, "grpo", cfg.name, cfg.to_json());
  }
  GrpoResult res;
  res.run_id = rec->run_id();
  res.run_dir = rec->run_dir();
  ckdir = (fs::path(res.run_dir) / "checkpoint").string();

  try {
    create_run_dir(res.run_dir);
    auto td = TaskData::load(cfg.data, cfg.seed, ctx, 0.0, 0.05);
    if (!sft_item_sets.empty() && fs::exists(sft_item_sets)) td->use_sets(ItemSets::from_json(read_json_file(sft_item_sets)));
    ps::write_file_atomic((fs::path(res.run_dir) / "item_sets.json").string(), td->sets().to_json().dump());
    RewardConfig rc;
    rc.kind = G.reward;
    rc.parse_penalty = G.parse_penalty;
    AdvantageConfig ac;
    ac.num_generations = G.num_generations;
    ac.scale = parse_scale_rewards(G.scale_rewards);
    GrpoLossConfig lc;
    lc.epsilon_low = G.epsilon_low;
    lc.epsilon_high = G.epsilon_high;
    if (G.delta > 0) lc.delta = G.delta;
    lc.beta = G.beta;
    lc.loss_type = parse_loss_type(G.loss_type);
    lc.max_completion_length = G.max_completion_length;
    lc.grad_accum_steps = G.batch_completions / G.micro_batch;
    rc.validate();
    ac.validate();
    lc.validate();
    const int64_t prompts_per_step = G.batch_completions / G.num_generations;
    const int64_t warmup = warmup_steps_for(cfg.optim.warmup_steps, cfg.optim.warmup_ratio, G.max_steps);

    // The prompt pool: train items of the training lines at their natural DE rate.
    const auto pool_items = td->sample_train(G.pool_items, -1.0, cfg.seed + 101);
    const auto pool_prompts = policy_prompts(*td, pool_items, cfg.prompt, policy.tok);
    res.pool_size = static_cast<int64_t>(pool_items.size());
    RolloutOptions ro;
    ro.k = G.num_generations;
    ro.temperature = G.temperature;
    ro.top_p = G.top_p;
    ro.top_k = G.top_k;
    ro.max_completion_length = G.max_completion_length;

    int64_t step = 0;
    double zero_std_sum = 0, zero_var_sum = 0;  // over steps, for the means reported
    int64_t zero_std_n = 0;
    std::vector<int64_t> learnable;  // pool indices the filter kept (upsampled)
    int64_t cursor = 0;
    if (auto state = load_train_checkpoint(ckdir, params, optim)) {
      step = state->value("step", 0);
      cursor = state->value("cursor", 0);
      learnable = state->value("learnable", std::vector<int64_t>{});
      res.skipped_steps = state->value("skipped_steps", 0);
      res.pool_kept = state->value("pool_kept", int64_t{0});
      auto number = [&](const char* key) {  // NaN was written as null
        return state->contains(key) && (*state)[key].is_number() ? (*state)[key].get<double>() : NAN;
      };
      res.frac_reward_zero_std_unfiltered = number("frac_reward_zero_std_unfiltered");
      res.frac_zero_variance_unfiltered = number("frac_zero_variance_unfiltered");
      zero_var_sum = state->value("zero_var_sum", 0.0);
      zero_std_sum = state->value("zero_std_sum", 0.0);
      zero_std_n = state->value("zero_std_n", 0);
      if (state->contains("rng")) set_cpu_rng_state((*state)["rng"]);
      if (finetune != "lora") model.refresh_derived();
    }
    auto set_learnable = [&](const std::vector<int64_t>& idx) {
      std::vector<int> labels;
      for (int64_t i : idx) labels.push_back(pool_items[i].label);
      std::optional<double> rate;
      if (G.positive_rate > 0) rate = G.positive_rate;
      auto up = upsample_positive_indices(idx, labels, rate, cfg.seed + step);
      learnable = up.indices;
      std::mt19937_64 rng(cfg.seed * 31 + step);
      for (size_t i = learnable.size(); i > 1; --i) std::swap(learnable[i - 1], learnable[rng() % i]);
      cursor = 0;
    };
    // Learnability filter: K rollouts of the current policy on the whole pool.
    auto score_pool = [&](double f) {
      ctx.report(f, "learnability filter: scoring " + std::to_string(pool_items.size()) + " prompts x " + std::to_string(G.num_generations));
      at::NoGradGuard ng;
      RolloutOptions o = ro;
      o.seed = cfg.seed * 1009 + static_cast<uint64_t>(step);
      auto r = rollout(policy, pool_items, pool_prompts, o, rc);
      std::vector<int64_t> n_correct(pool_items.size(), 0);
      for (int64_t row = 0; row < r.rows(); ++row) n_correct[row / r.k] += static_cast<int64_t>(r.rewards[row].correctness > 0.5);
      auto adv = compute_advantages(reward_totals(r.rewards), ac);
      auto lr_ = learnability_filter(n_correct, G.num_generations);
      rec->log(step, {{"filter/pool", double(pool_items.size())}, {"filter/kept", double(lr_.kept.size())},
                      {"filter/frac_zero_variance", lr_.frac_zero_variance},
                      {"filter/frac_reward_zero_std", adv.frac_reward_zero_std}});
      if (!std::isfinite(res.frac_reward_zero_std_unfiltered)) {
        res.frac_reward_zero_std_unfiltered = adv.frac_reward_zero_std;
        res.frac_zero_variance_unfiltered = lr_.frac_zero_variance;
      }
      lr_.require_nonempty();
      res.pool_kept = static_cast<int64_t>(lr_.kept.size());
      set_learnable(lr_.kept);
    };
    if (learnable.empty()) {
      if (G.learnability_filter) {
        score_pool(0.06);
      } else {
        std::vector<int64_t> all(pool_items.size());
        std::iota(all.begin(), all.end(), 0);
        set_learnable(all);
        res.pool_kept = static_cast<int64_t>(all.size());  // no filter: the whole pool
        // The zero-std fraction of the unfiltered pool is then what the training batches show.
      }
    }
    auto save_ckpt = [&](bool done) {
      save_train_checkpoint(ckdir, params, optim,
                            {{"step", step}, {"cursor", cursor}, {"learnable", learnable}, {"trained", done},
                             {"zero_std_sum", zero_std_sum}, {"zero_var_sum", zero_var_sum}, {"zero_std_n", zero_std_n},
                             {"skipped_steps", res.skipped_steps}, {"pool_kept", res.pool_kept},
                             {"frac_reward_zero_std_unfiltered", num(res.frac_reward_zero_std_unfiltered)},
                             {"frac_zero_variance_unfiltered", num(res.frac_zero_variance_unfiltered)},
                             {"rng", cpu_rng_state()}});
    };

    const double f0 = 0.1, f1 = 0.85;
    while (step < G.max_steps) {
      ctx.check_cancelled();
      if (G.learnability_filter && G.filter_refresh_steps > 0 && step > 0 && step % G.filter_refresh_steps == 0) score_pool(f0);
      const auto ts = Clock::now();
      // --- prompts ------------------------------------------------------------------------------
      std::vector<data::Item> items;
      std::vector<std::string> texts;
      for (int64_t i = 0; i < prompts_per_step; ++i) {
        const int64_t idx = learnable[cursor % learnable.size()];
        ++cursor;
        items.push_back(pool_items[idx]);
        texts.push_back(pool_prompts[idx]);
      }
      // --- rollout (K per prompt) and reward ------------------------------------------------------
      RolloutOptions o = ro;
      o.seed = cfg.seed * 1000003ULL + static_cast<uint64_t>(step);
      RolloutBatch r;
      {
        at::NoGradGuard ng;
        r = rollout(policy, items, texts, o, rc);
      }
      const double rollout_s = since(ts);
      // --- advantage ------------------------------------------------------------------------------
      const auto totals = reward_totals(r.rewards);
      AdvantageResult adv = compute_advantages(totals, ac);
      auto cb = build_completion_batch(r.completions, policy.stop_ids, pad_id, G.mask_truncated_completions);
      std::vector<int64_t> all_rows(r.rows());
      std::iota(all_rows.begin(), all_rows.end(), 0);
      const double active_total = cb.mask.sum().item<double>();
      // --- old and reference log-probs, no grad ---------------------------------------------------------
      std::vector<TrainRows> micro;
      std::vector<std::vector<int64_t>> micro_rows;
      for (int64_t b0 = 0; b0 < r.rows(); b0 += G.micro_batch) {
        std::vector<int64_t> rows(all_rows.begin() + b0, all_rows.begin() + std::min<int64_t>(r.rows(), b0 + G.micro_batch));
        micro.push_back(make_rows(r, cb, rows, pad_id));
        micro_rows.push_back(rows);
      }
      lm::LogprobOptions lo;
      lo.temperature = G.temperature;
      std::vector<at::Tensor> old_lp(micro.size()), ref_lp(micro.size());
      {
        at::NoGradGuard ng;
        for (size_t m = 0; m < micro.size(); ++m) {
          const auto& t = micro[m];
          if (G.num_iterations > 1) old_lp[m] = lm::token_logprobs(model, t.ids, t.attention, t.positions, t.T, lo).logprobs;
          if (G.beta > 0) {
            if (reference) {
              ref_lp[m] = lm::token_logprobs(*reference, t.ids, t.attention, t.positions, t.T, lo).logprobs;
            } else if (ref_adapter) {
              model.attach_adapter(ref_adapter);
              ref_lp[m] = lm::token_logprobs(model, t.ids, t.attention, t.positions, t.T, lo).logprobs;
              model.attach_adapter(adapter);
            } else {
              lm::LogprobOptions ro_ = lo;
              ro_.use_adapter = false;  // the merged SFT weights
              ref_lp[m] = lm::token_logprobs(model, t.ids, t.attention, t.positions, t.T, ro_).logprobs;
            }
          }
        }
      }
      // --- μ optimiser steps on this generation batch ------------------------------------------------
      for (int64_t it = 0; it < G.num_iterations && step < G.max_steps; ++it) {
        const auto tstep = Clock::now();
        const double lr = cfg.optim.lr * lr_multiplier(cfg.optim.schedule, step, warmup, G.max_steps);
        for (auto& g : optim.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        optim.zero_grad();
        double loss_sum = 0, kl = 0, ent = 0, ent_n = 0, clip_low = 0, clip_high = 0, clip_region = 0;
        double clip_low_min = INFINITY, clip_high_max = -INFINITY;
        bool finite = true;
        lm::LogprobOptions tl = lo;
        tl.training = true;
        tl.with_entropy = true;
        tl.gradient_checkpointing = G.gradient_checkpointing;
        for (size_t m = 0; m < micro.size() && finite; ++m) {
          const auto& t = micro[m];
          auto out = lm::token_logprobs(model, t.ids, t.attention, t.positions, t.T, tl);
          GrpoLossInputs in;
          in.logp = out.logprobs;
          in.old_logp = old_lp[m];
          in.ref_logp = ref_lp[m];
          in.advantages = adv.advantages.index_select(0, at::tensor(micro_rows[m], at::kLong));
          in.completion_mask = t.completion_mask;
          in.dapo_active_tokens = active_total;
          auto lr_ = grpo_loss(lc, in);
          const double v = lr_.loss.item<double>();
          if (!std::isfinite(v)) {
            finite = false;
            break;
          }
          lr_.loss.backward();
          const double w = static_cast<double>(micro_rows[m].size()) / r.rows();
          loss_sum += v;  // each micro-batch's loss is already its share of the step's (grad_accum / dapo scaling)
          if (std::isfinite(lr_.kl)) kl += w * lr_.kl;
          clip_low += w * lr_.clip_low_mean;
          clip_high += w * lr_.clip_high_mean;
          clip_region += w * lr_.clip_region_mean;
          clip_low_min = std::min(clip_low_min, lr_.clip_low_min);
          clip_high_max = std::max(clip_high_max, lr_.clip_high_max);
          ent += (out.entropy * t.completion_mask).sum().item<double>();
          ent_n += t.completion_mask.sum().item<double>();
        }
        double grad_norm = NAN;
        if (finite) {
          grad_norm = torch::nn::utils::clip_grad_norm_(tensors, cfg.optim.max_grad_norm > 0 ? cfg.optim.max_grad_norm : 1e30);
          finite = std::isfinite(grad_norm);
        }
        crash_point("train.step");
        if (finite) {
          optim.step();
          if (finetune != "lora") model.refresh_derived();
        } else {
          ++res.skipped_steps;  // a non-finite loss or gradient never reaches the weights
          optim.zero_grad();
        }
        ++step;
        // --- log -----------------------------------------------------------------------------------------
        std::vector<std::pair<std::string, double>> m = {
            {"loss", finite ? loss_sum : NAN},
            {"reward", adv.reward_mean},
            {"reward_std", adv.reward_std},
            {"frac_reward_zero_std", adv.frac_reward_zero_std},
            {"entropy", ent_n > 0 ? ent / ent_n : NAN},
            {"clip_ratio/low_mean", clip_low},
            {"clip_ratio/low_min", std::isfinite(clip_low_min) ? clip_low_min : NAN},
            {"clip_ratio/high_mean", clip_high},
            {"clip_ratio/high_max", std::isfinite(clip_high_max) ? clip_high_max : NAN},
            {"clip_ratio/region_mean", clip_region},
            {"lr", lr},
            {"grad_norm", grad_norm},
            {"step_time", since(tstep) + (it == 0 ? rollout_s : 0.0)},
            {"rollout_tokens_per_second", r.generated_tokens / std::max(1e-9, r.seconds)},
            {"num_tokens", static_cast<double>(r.generated_tokens)},
            {"completions/clipped_ratio", cb.clipped_ratio},
            {"skipped_steps", static_cast<double>(res.skipped_steps)}};
        if (G.beta > 0) m.push_back({"kl", kl});
        double len_sum = 0, len_min = INFINITY, len_max = 0, parse_fail = 0;
        for (int64_t row = 0; row < r.rows(); ++row) {
          const double n = static_cast<double>(cb.lengths[row]);
          len_sum += n, len_min = std::min(len_min, n), len_max = std::max(len_max, n);
          parse_fail += !r.parsed[row].ok();
        }
        m.push_back({"completions/mean_length", len_sum / r.rows()});
        m.push_back({"completions/min_length", len_min});
        m.push_back({"completions/max_length", len_max});
        m.push_back({"parse_failure_rate", parse_fail / r.rows()});
        for (const auto& s : reward_stats(rc, r.rewards)) {
          if (s.name == "total") continue;
          m.push_back({"rewards/" + s.name + "/mean", s.mean});
          m.push_back({"rewards/" + s.name + "/std", s.std});
        }
        rec->log(step, m);
        if (it == 0) {
          zero_std_sum += adv.frac_reward_zero_std;
          int64_t zero_var = 0;
          for (int64_t g = 0; g < prompts_per_step; ++g) {
            int64_t c = 0;
            for (int64_t k = 0; k < G.num_generations; ++k) c += r.rewards[g * G.num_generations + k].correctness > 0.5;
            zero_var += c == 0 || c == G.num_generations;
          }
          zero_var_sum += static_cast<double>(zero_var) / prompts_per_step;
          ++zero_std_n;
          // A sample of whole groups for the trace review.
          std::vector<store::RolloutSample> samples;
          const int64_t groups = std::min<int64_t>(prompts_per_step, (G.log_samples + G.num_generations - 1) / G.num_generations);
          for (int64_t g = 0; g < groups; ++g)
            for (int64_t k = 0; k < G.num_generations; ++k) {
              const int64_t row = g * G.num_generations + k;
              store::RolloutSample s;
              s.step = step;
              s.group_index = g;
              s.sample_index = k;
              s.item_key = item_key(r.items[g]);
              s.label = r.items[g].label;
              s.prompt = k == 0 ? r.prompt_texts[g] : "";
              s.completion = r.texts[row];
              s.reward = r.rewards[row].total;
              s.advantage = adv.advantages[row].item<double>();
              json parts;
              for (const auto& name : reward_component_names(rc)) parts[name] = reward_component(r.rewards[row], name);
              parts["parse_failure"] = r.parsed[row].ok() ? "" : prompt::to_string(r.parsed[row].failure);
              parts["tokens"] = static_cast<int64_t>(r.completions[row].size());
              s.parts_json = parts.dump();
              samples.push_back(std::move(s));
            }
          rec->rollouts(samples);
        }
        ctx.report(f0 + (f1 - f0) * step / G.max_steps,
                   "step " + std::to_string(step) + "/" + std::to_string(G.max_steps) + "  reward " +
                       std::to_string(adv.reward_mean).substr(0, 6));
        if (cfg.eval.every_steps > 0 && step % cfg.eval.every_steps == 0 && step < G.max_steps)
          validation_pass(policy, *td, cfg.prompt, cfg.eval, cfg.seed, *rec, step);
        // Checkpoints fall between generation batches only (a resumed run then redraws nothing).
        if (G.checkpoint_every > 0 && step % G.checkpoint_every < G.num_iterations && it + 1 == G.num_iterations) save_ckpt(false);
      }
    }
    res.steps = step;
    res.frac_reward_zero_std = zero_std_n ? zero_std_sum / zero_std_n : NAN;
    res.frac_zero_variance = zero_std_n ? zero_var_sum / zero_std_n : NAN;
    if (!G.learnability_filter && !std::isfinite(res.frac_reward_zero_std_unfiltered)) {
      res.frac_reward_zero_std_unfiltered = res.frac_reward_zero_std;
      res.frac_zero_variance_unfiltered = res.frac_zero_variance;
    }

    // --- the trained policy on disk ----------------------------------------------------------------
    ctx.report(0.85, "saving the policy");
    res.model_dir = (fs::path(res.run_dir) / "model").string();
    model.set_trainable(false);
    if (finetune == "lora") {
      res.adapter_dir = (fs::path(res.run_dir) / "adapter").string();
      adapter->save(res.adapter_dir);
      if (!adapter_dir.empty() && cfg.init.lora_reference == "merge") {
        // The new adapter sits on the merged SFT weights: save those as the run's base model.
        model.detach_adapter();
        model.save(res.model_dir);
        model.attach_adapter(adapter);
      } else {
        res.model_dir = model_dir;
      }
    } else {
      model.save(res.model_dir);
    }
    if (res.model_dir != model_dir) {
      fs::copy_file(fs::path(model_dir) / "tokenizer.json", fs::path(res.model_dir) / "tokenizer.json", fs::copy_options::overwrite_existing);
      write_generation_config(res.model_dir, policy.stop_ids);
    }
    save_ckpt(true);

    // --- evaluation on the stored item sets -----------------------------------------------------------
    res.evals = evaluate_sets(policy, *td, cfg.prompt, cfg.eval, cfg.seed, *rec, step, ctx, 0.85, 1.0);
    res.seconds = since(t0);
    rec->summary(res.to_json());
    rec->finish(store::RunStatus::Finished);
  } catch (...) {
    rec->finish_from_exception();
    throw;
  }
  return res;
}

}  // namespace ps::train
