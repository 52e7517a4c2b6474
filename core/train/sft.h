// Supervised fine-tuning on teacher traces (issue 11's first pipeline stage):
//
//   items (train split, DE upsampled) -> KG evidence -> prompts -> teacher traces (kept: parseable
//   and correct) -> tokenizer (trained here for a model from scratch) -> examples (loss on the
//   assistant tokens) -> AdamW steps (LoRA or full fine-tuning) -> model / adapter -> evaluation
//   on the stored held-out item sets (val, heldout = RPE1) with CIs.
//
// Every step logs loss, token_accuracy, lr, grad_norm, tokens_per_second, step_time to the store;
// checkpoints every N steps hold the weights (or adapter), AdamW's moments, the step, the RNG
// state and the data cursor, so a resumed run continues with the same losses.
#pragma once
#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "jobs/job.h"
#include "store/store.h"
#include "teach/endpoint_teacher.h"
#include "teach/evidence_teacher.h"
#include "train/config.h"
#include "train/evaluate.h"

namespace ps::train {

struct SftResult {
  int64_t run_id = 0;
  int64_t teacher_run_id = 0;                   // the teacher's traces (kind "teacher"); 0 on resume
  std::string run_dir, model_dir, adapter_dir;  // adapter_dir empty for full fine-tuning
  teach::TeacherCounts teacher;
  int64_t steps = 0, examples = 0, skipped_steps = 0;
  double final_loss = NAN;  // the last step's loss; NaN (JSON null) when none ran or it was skipped
  std::map<std::string, EvalResult> evals;      // by set name
  double seconds = 0;
  // {"run_id", "model_dir", "adapter_dir", "n", "parse_rate", "f1", "f1_ci", ... (headline: the
  //  first evaluated set), "sets": {"val": {...}, "heldout": {...}}, "teacher": {...}, "seconds"}
  nlohmann::json to_json() const;
};

// resume_run_id > 0 continues that run from its last checkpoint (its stored config must be given).
SftResult run_sft(const SftConfig& cfg, store::Store& st, jobs::JobContext& ctx, int64_t resume_run_id = 0);

}  // namespace ps::train
