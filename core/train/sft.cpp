#include "train/sft.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
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
#include "lm/tokenizer/bpe_trainer.h"
#include "train/checkpoint.h"
#include "train/lr_schedule.h"
#include "train/recorder.h"
#include "train/sft_data.h"
#include "train/stage_eval.h"
#include "train/task_data.h"
#include "teach/endpoint_client.h"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace ps::train {

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
json num(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// Prompts for items, trimmed to the budget with the tokenizer's counts when one is given.
std::vector<prompt::BuiltPrompt> build_prompts(const std::vector<prompt::ItemEvidence>& ev, const prompt::PromptConfig& pc,
                                               const tokenizer::Tokenizer* tok) {
  prompt::TokenCounter count;
  if (tok) count = [tok](const std::string& s) { return tok->encode(s).size(); };
  std::vector<prompt::BuiltPrompt> out;
  out.reserve(ev.size());
  for (const auto& e : ev) out.push_back(prompt::build_prompt(e, pc, count));
  return out;
}

}  // namespace

json SftResult::to_json() const {
  json j = {{"run_id", run_id}, {"teacher_run_id", teacher_run_id}, {"run_dir", run_dir}, {"model_dir", model_dir}, {"steps", steps},
            {"examples", examples}, {"skipped_steps", skipped_steps}, {"final_loss", num(final_loss)},
            {"seconds", seconds}};
  if (!adapter_dir.empty()) j["adapter_dir"] = adapter_dir;
  j["teacher"] = {{"made", teacher.made}, {"kept", teacher.kept}, {"wrong", teacher.wrong},
                  {"unparseable", teacher.unparseable}, {"failed", teacher.failed}};
  add_eval_sets(j, evals);
  return j;
}

SftResult run_sft(const SftConfig& cfg, store::Store& st, jobs::JobContext& ctx, int64_t resume_run_id) {
  const auto t0 = Clock::now();
  if (cfg.train.threads > 0) at::set_num_threads(static_cast<int>(cfg.train.threads));
  const at::Device device = parse_device(cfg.model.device);
  const at::ScalarType dtype = parse_dtype(cfg.model.dtype, device);

  // --- run ------------------------------------------------------------------------------
  std::unique_ptr<Recorder> rec;
  int64_t resume_step = -1;
  if (resume_run_id > 0) {
    auto run = st.get_run(resume_run_id);
    if (!run) throw Error(st.path() + ": no run with id " + std::to_string(resume_run_id));
    const std::string ckdir = (fs::path(runs_root(st)) / std::to_string(resume_run_id) / "checkpoint").string();
    resume_step = checkpoint_step(ckdir);
    rec = std::make_unique<Recorder>(st, resume_run_id, resume_step);
  } else {
    rec = std::make_unique<Recorder>(st, "sft", cfg.name, cfg.to_json());
  }
  SftResult res;
  res.run_id = rec->run_id();
  res.run_dir = rec->run_dir();
  const std::string ckdir = (fs::path(res.run_dir) / "checkpoint").string();
  try {
    create_run_dir(res.run_dir);
    // --- items, evidence, teacher traces ------------------------------------------------
    auto td = TaskData::load(cfg.data, cfg.seed, ctx, 0.0, 0.08);
    ctx.check_cancelled();
    ps::write_file_atomic((fs::path(res.run_dir) / "item_sets.json").string(), td->sets().to_json().dump());
    ctx.report(0.08, "teacher traces");
    const auto teacher_items = td->sample_train(cfg.data.teacher_items, cfg.data.positive_rate, cfg.seed + 17);
    const auto teacher_ev = td->evidence(teacher_items);

    // --- teacher traces and tokenizer ---------------------------------------------------------
    // The endpoint teacher answers the prompts it is sent; the evidence teacher writes traces from
    // the evidence each prompt shows (so its traces follow the prompts' budget trimming).
    struct Trace {
      std::string completion;
      prompt::ParsedAnswer parsed;
      std::string error;
    };
    auto teach_all = [&](const std::vector<prompt::BuiltPrompt>& ps_) {
      std::vector<Trace> out(ps_.size());
      if (cfg.teacher.kind == "evidence") {
        for (size_t i = 0; i < ps_.size(); ++i) {
          out[i].completion = teach::evidence_trace(teacher_ev[i], teacher_items[i].label, ps_[i].limits_used, {cfg.teacher.trace_rate}).completion();
          out[i].parsed = prompt::parse_answer(out[i].completion);
        }
        return out;
      }
      auto ec = teach::EndpointConfig::from_json(cfg.teacher.endpoint, "teacher.endpoint");
      teach::TeacherOptions topt;
      topt.keep_all = true;  // the filter below is the same for both teachers
      teach::EndpointTeacher teacher(ec, topt);
      std::vector<teach::TeacherItem> req;
      for (size_t i = 0; i < ps_.size(); ++i) req.push_back({item_key(teacher_items[i]), ps_[i].messages, teacher_items[i].label});
      auto run = teacher.run(req, [&](size_t done, size_t total) {
        ctx.report(0.08 + 0.04 * double(done) / double(std::max<size_t>(1, total)), "endpoint teacher: " + std::to_string(done) + "/" + std::to_string(total));
      });
      for (size_t i = 0; i < ps_.size(); ++i) {
        out[i].completion = run.traces[i].completion;
        out[i].parsed = run.traces[i].answer;
        out[i].error = run.traces[i].error;
      }
      return out;
    };
    const std::string model_dir = (fs::path(res.run_dir) / "model").string();
    fs::create_directories(model_dir);
    std::optional<tokenizer::Tokenizer> tok;
    std::vector<prompt::BuiltPrompt> prompts;
    std::vector<Trace> traces;
    if (!cfg.tokenizer.path.empty() || !cfg.model.path.empty()) {
      tok = tokenizer::Tokenizer::from_file(!cfg.tokenizer.path.empty() ? cfg.tokenizer.path : cfg.model.path);
      prompts = build_prompts(teacher_ev, cfg.prompt, &*tok);
      traces = teach_all(prompts);
    } else {
      // A model from scratch: the tokenizer is trained here, on the prompts and the teacher's traces.
      auto draft = build_prompts(teacher_ev, cfg.prompt, nullptr);
      auto draft_traces = teach_all(draft);
      const std::string tok_path = (fs::path(model_dir) / "tokenizer.json").string();
      if (!fs::exists(tok_path)) {  // else: trained by the run we resume (deterministic anyway)
        ctx.report(0.12, "training a byte-level BPE tokenizer");
        std::vector<std::string> corpus;
        for (size_t i = 0; i < draft.size(); ++i) {
          corpus.push_back(draft[i].text);
          corpus.push_back(draft_traces[i].completion);
        }
        tokenizer::BpeTrainerOptions bo;
        bo.num_merges = static_cast<int>(cfg.tokenizer.merges);
        tokenizer::save_tokenizer_json(tokenizer::train_bpe(corpus, bo), tok_path + ".tmp");
        fs::rename(tok_path + ".tmp", tok_path);
      }
      tok = tokenizer::Tokenizer::from_file(tok_path);
      if (cfg.teacher.kind == "evidence") {
        prompts = build_prompts(teacher_ev, cfg.prompt, &*tok);
        traces = teach_all(prompts);
      } else {
        prompts = std::move(draft);  // what the endpoint answered
        traces = std::move(draft_traces);
      }
    }
    ctx.check_cancelled();
    const auto im_end = tok->token_id("<|im_end|>");
    if (!im_end) throw Error(tok->source() + ": the tokenizer has no <|im_end|> token (needed to end answers)");
    const int64_t pad_id = tok->token_id("<|endoftext|>").value_or(*im_end);
    std::shared_ptr<lm::Model> model;  // set below; the evaluation passes borrow it as a Policy
    auto lent_policy = [&] {
      Policy pol(*tok);
      pol.model = model;
      pol.stop_ids = {*im_end};
      if (auto e = tok->token_id("<|endoftext|>")) pol.stop_ids.push_back(*e);
      return pol;
    };

    // --- examples: only parseable, correct traces unless teacher.keep_all ------------------------
    ctx.report(0.13, "examples");
    std::vector<SftExample> examples;
    for (size_t i = 0; i < teacher_items.size(); ++i) {
      const Trace& tr = traces[i];
      if (!tr.error.empty()) {
        ++res.teacher.failed;
        continue;
      }
      ++res.teacher.made;
      if (!tr.parsed.ok()) {
        ++res.teacher.unparseable;
        if (!cfg.teacher.keep_all) continue;
      } else if (!tr.parsed.correct(teacher_items[i].label)) {
        ++res.teacher.wrong;
        if (!cfg.teacher.keep_all) continue;
      } else {
        ++res.teacher.correct;
      }
      ++res.teacher.kept;
      SftExample ex;
      auto p = tok->encode(prompts[i].text);
      auto c = tok->encode(tr.completion);
      ex.ids.assign(p.begin(), p.end());
      ex.prompt_len = static_cast<int64_t>(p.size());
      ex.ids.insert(ex.ids.end(), c.begin(), c.end());
      ex.ids.push_back(*im_end);
      ex.key = item_key(teacher_items[i]);
      if (static_cast<int64_t>(ex.ids.size()) > cfg.train.max_seq_len)
        throw Error("SFT example " + ex.key + " has " + std::to_string(ex.ids.size()) + " tokens, more than train.max_seq_len (" +
                    std::to_string(cfg.train.max_seq_len) + "); lower prompt.max_prompt_tokens or raise max_seq_len");
      examples.push_back(std::move(ex));
    }
    res.teacher.requested = static_cast<int64_t>(teacher_items.size());
    res.examples = static_cast<int64_t>(examples.size());
    rec->log(0, {{"teacher/made", double(res.teacher.made)}, {"teacher/kept", double(res.teacher.kept)},
                 {"teacher/wrong", double(res.teacher.wrong)}, {"teacher/unparseable", double(res.teacher.unparseable)},
                 {"teacher/failed", double(res.teacher.failed)}});
    if (resume_run_id > 0) {
      // The teacher run made by an earlier attempt (its config names this run), when that attempt
      // finished recording it; a teacher run it left unfinished (killed while writing it) is
      // dropped and recorded again below.
      for (const auto& r : st.list_runs()) {
        if (r.kind != "teacher" || nlohmann::json::parse(r.config_json).value("sft_run_id", int64_t{0}) != res.run_id) continue;
        if (r.status == store::RunStatus::Finished && !res.teacher_run_id) res.teacher_run_id = r.id;
        else st.delete_run(r.id);
      }
    }
    if (!res.teacher_run_id) {
      // The teacher's traces, browsable with `perturbscope-cli traces show`: a run of kind "teacher".
      Recorder trec(st, "teacher", cfg.name + " teacher (" + cfg.teacher.kind + ")",
                    {{"teacher", cfg.teacher.to_json()}, {"sft_run_id", res.run_id}, {"prompt", cfg.prompt.to_json()}});
      EvalResult tr_all;
      tr_all.set = "teacher";
      for (size_t i = 0; i < teacher_items.size(); ++i) {
        EvalItem e;
        e.item = teacher_items[i];
        e.prompt = prompts[i].text;
        e.completion = traces[i].completion;
        e.parsed = traces[i].parsed;
        e.p_de = e.parsed.ok() ? e.parsed.p_de() : 0.5;
        e.finish_reason = traces[i].error.empty() ? "stop" : "error: " + traces[i].error;
        tr_all.items.push_back(std::move(e));
      }
      trec.predictions(tr_all);
      trec.summary({{"made", res.teacher.made}, {"kept", res.teacher.kept}, {"wrong", res.teacher.wrong},
                    {"unparseable", res.teacher.unparseable}, {"failed", res.teacher.failed}, {"sft_run_id", res.run_id}});
      trec.finish(store::RunStatus::Finished);
      res.teacher_run_id = trec.run_id();
    }
    if (examples.empty())
      throw Error("SFT: the teacher kept no trace (of " + std::to_string(res.teacher.requested) + ": " +
                  std::to_string(res.teacher.wrong) + " wrong, " + std::to_string(res.teacher.unparseable) + " unparseable, " +
                  std::to_string(res.teacher.failed) + " failed)");

    // --- model ----------------------------------------------------------------------------
    ctx.report(0.14, "model");
    if (cfg.model.path.empty()) {
      lm::ModelConfig mc = lm::tiny_qwen3_config((tok->vocab_size() + 63) / 64 * 64);
      mc.hidden_size = cfg.model.hidden_size;
      mc.intermediate_size = cfg.model.intermediate_size;
      mc.num_layers = cfg.model.num_layers;
      mc.num_heads = cfg.model.num_heads;
      mc.num_kv_heads = cfg.model.num_kv_heads;
      mc.head_dim = cfg.model.head_dim;
      mc.max_position_embeddings = cfg.model.max_position_embeddings;
      mc.eos_token_ids = {*im_end};
      model = std::make_shared<lm::Model>(lm::Model::init_random(mc, cfg.seed, device, dtype));
    } else {
      model = std::make_shared<lm::Model>(lm::Model::load(cfg.model.path, device, dtype));
      if (tok->vocab_size() > model->config().vocab_size)
        throw Error(cfg.model.path + ": the tokenizer has more ids than the model has embedding rows");
    }
    NamedParams params;
    std::shared_ptr<lm::LoraAdapter> adapter;
    if (cfg.finetune == "lora") {
      model->set_trainable(false);
      lm::LoraConfig lc = cfg.lora;
      lc.base_model = cfg.model.path;
      adapter = lm::LoraAdapter::create(model->config(), lc, cfg.seed, device, at::kFloat);
      model->attach_adapter(adapter);
      for (const auto& [n, t] : adapter->named_parameters()) params.emplace_back(n, t);
    } else {
      params = model->set_trainable(true);
    }
    std::vector<at::Tensor> tensors;
    for (auto& [n, t] : params) tensors.push_back(t);
    torch::optim::AdamW optim(tensors, torch::optim::AdamWOptions(cfg.optim.lr)
                                           .betas({cfg.optim.beta1, cfg.optim.beta2})
                                           .eps(cfg.optim.eps)
                                           .weight_decay(cfg.optim.weight_decay));

    // --- schedule ---------------------------------------------------------------------------
    const int64_t per_step = cfg.train.batch_size * cfg.train.grad_accum;
    const int64_t micro_per_epoch = (res.examples + cfg.train.batch_size - 1) / cfg.train.batch_size;
    const int64_t steps_per_epoch = std::max<int64_t>(1, (micro_per_epoch + cfg.train.grad_accum - 1) / cfg.train.grad_accum);
    const int64_t total_steps = cfg.train.max_steps > 0 ? cfg.train.max_steps : cfg.train.epochs * steps_per_epoch;
    const int64_t warmup = warmup_steps_for(cfg.optim.warmup_steps, cfg.optim.warmup_ratio, total_steps);
    (void)per_step;
    // The order of examples in epoch e: a permutation seeded by (seed, e).
    auto epoch_order = [&](int64_t epoch) {
      std::vector<int64_t> o(examples.size());
      std::iota(o.begin(), o.end(), 0);
      std::mt19937_64 rng(cfg.seed * 1000003ULL + static_cast<uint64_t>(epoch));
      for (size_t i = o.size(); i > 1; --i) std::swap(o[i - 1], o[rng() % i]);
      return o;
    };

    int64_t step = 0, micro = 0;
    bool trained = false;
    if (auto state = load_train_checkpoint(ckdir, params, optim)) {
      step = state->value("step", 0);
      micro = state->value("micro", 0);
      res.skipped_steps = state->value("skipped_steps", 0);
      // The last step's loss (null when it was skipped): a resume after the last step runs no step.
      if (state->contains("final_loss")) res.final_loss = (*state)["final_loss"].is_number() ? (*state)["final_loss"].get<double>() : NAN;
      trained = state->value("trained", false);
      if (state->contains("rng")) set_cpu_rng_state((*state)["rng"]);
      if (cfg.finetune != "lora") model->refresh_derived();
      ctx.report(0.15, "resumed at step " + std::to_string(step));
    }
    auto save_ckpt = [&](bool done) {
      save_train_checkpoint(ckdir, params, optim,
                            {{"step", step}, {"micro", micro}, {"skipped_steps", res.skipped_steps}, {"trained", done},
                             {"final_loss", num(res.final_loss)},
                             {"rng", cpu_rng_state()}});
    };

    // --- the loop: batch -> forward -> masked NLL -> backward -> clip -> step -> log -> checkpoint
    std::vector<int64_t> order;
    int64_t order_epoch = -1;
    const double f_train0 = 0.15, f_train1 = 0.8;
    lm::LogprobOptions lo;
    lo.with_argmax = true;
    lo.training = true;
    lo.gradient_checkpointing = cfg.train.gradient_checkpointing;
    while (!trained && step < total_steps) {
      ctx.check_cancelled();
      const auto ts = Clock::now();
      const double lr = cfg.optim.lr * lr_multiplier(cfg.optim.schedule, step, warmup, total_steps);
      for (auto& g : optim.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
      optim.zero_grad();
      // The micro-batches of this step, and their assistant-token count (the loss is a token mean
      // over the whole optimiser step, whatever the split into micro-batches).
      std::vector<SftBatch> batches;
      int64_t loss_tokens = 0, tokens = 0;
      for (int64_t a = 0; a < cfg.train.grad_accum; ++a, ++micro) {
        const int64_t epoch = micro / micro_per_epoch, pos = micro % micro_per_epoch;
        if (epoch != order_epoch) order = epoch_order(epoch), order_epoch = epoch;
        std::vector<const SftExample*> ex;
        for (int64_t k = pos * cfg.train.batch_size; k < std::min<int64_t>(res.examples, (pos + 1) * cfg.train.batch_size); ++k)
          ex.push_back(&examples[order[k]]);
        batches.push_back(make_sft_batch(ex, pad_id));
        loss_tokens += batches.back().loss_tokens;
        tokens += batches.back().tokens;
      }
      double loss_sum = 0, correct = 0;
      bool finite = true;
      for (auto& b : batches) {
        const int64_t L = b.ids.size(1);
        auto out = lm::token_logprobs(*model, b.ids, b.attention, b.positions, L - 1, lo);   // [B, L-1]
        at::Tensor mask = b.loss_mask.to(out.logprobs.device());
        at::Tensor nll = -(out.logprobs * mask).sum() / static_cast<double>(loss_tokens);  // share of the step's mean
        const double v = nll.item<double>();
        if (!std::isfinite(v)) {
          finite = false;
          break;
        }
        nll.backward();
        loss_sum += v;
        at::Tensor tgt = b.ids.narrow(1, 1, L - 1).to(out.argmax.device());
        correct += (out.argmax.eq(tgt).to(at::kFloat) * mask).sum().item<double>();
      }
      double grad_norm = NAN;
      if (finite) {
        grad_norm = cfg.optim.max_grad_norm > 0 ? torch::nn::utils::clip_grad_norm_(tensors, cfg.optim.max_grad_norm)
                                                : torch::nn::utils::clip_grad_norm_(tensors, 1e30);
        finite = std::isfinite(grad_norm);
      }
      crash_point("train.step");
      if (finite) {
        optim.step();
        if (cfg.finetune != "lora") model->refresh_derived();
      } else {
        ++res.skipped_steps;  // NaN/inf loss or gradient: never applied to the weights
        optim.zero_grad();
      }
      ++step;
      const double dt = since(ts);
      res.final_loss = finite ? loss_sum : NAN;
      rec->log(step, {{"loss", finite ? loss_sum : NAN},
                      {"token_accuracy", loss_tokens ? correct / loss_tokens : NAN},
                      {"lr", lr},
                      {"grad_norm", grad_norm},
                      {"tokens_per_second", tokens / dt},
                      {"step_time", dt},
                      {"epoch", static_cast<double>(micro) / micro_per_epoch},
                      {"skipped_steps", static_cast<double>(res.skipped_steps)}});
      ctx.report(f_train0 + (f_train1 - f_train0) * step / total_steps,
                 "step " + std::to_string(step) + "/" + std::to_string(total_steps) +
                     (finite ? "  loss " + std::to_string(loss_sum).substr(0, 6) : "  (skipped: non-finite)"));
      if (cfg.eval.every_steps > 0 && step % cfg.eval.every_steps == 0 && step < total_steps)
        validation_pass(lent_policy(), *td, cfg.prompt, cfg.eval, cfg.seed, *rec, step);
      if (cfg.train.checkpoint_every > 0 && step % cfg.train.checkpoint_every == 0) save_ckpt(false);
    }
    res.steps = step;

    // --- the trained policy on disk ------------------------------------------------------------
    if (!trained) {
      ctx.report(0.8, "saving the model");
      if (adapter) {
        res.adapter_dir = (fs::path(res.run_dir) / "adapter").string();
        adapter->save(res.adapter_dir);
      }
      if (!adapter) {
        model->save(model_dir);
      } else {
        // The base model is the given folder; the run's model folder carries its tokenizer.
        fs::copy_file(fs::path(cfg.model.path) / "config.json", fs::path(model_dir) / "config.json",
                      fs::copy_options::overwrite_existing);
      }
      if (!fs::exists(fs::path(model_dir) / "tokenizer.json"))
        ps::write_file_atomic((fs::path(model_dir) / "tokenizer.json").string(), [&] {
          std::ifstream in(tok->source());
          return std::string(std::istreambuf_iterator<char>(in), {});
        }());
      std::vector<int64_t> eos = {*im_end};
      if (auto e = tok->token_id("<|endoftext|>")) eos.push_back(*e);
      write_generation_config(model_dir, eos);
      save_ckpt(true);
    } else if (cfg.finetune == "lora") {
      res.adapter_dir = (fs::path(res.run_dir) / "adapter").string();
    }
    res.model_dir = adapter ? cfg.model.path : model_dir;
    if (adapter) res.adapter_dir = (fs::path(res.run_dir) / "adapter").string();

    // --- evaluation on the stored item sets ------------------------------------------------------
    model->set_trainable(false);
    if (cfg.finetune != "lora") model->refresh_derived();
    res.evals = evaluate_sets(lent_policy(), *td, cfg.prompt, cfg.eval, cfg.seed, *rec, step, ctx, 0.8, 1.0);
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
