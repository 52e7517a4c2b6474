// Named crash points for the crash-safety test (tests/safety): with PERTURBSCOPE_CRASH_AT=SITE:N in
// the environment, the N-th call of crash_point("SITE") in this process kills it with SIGKILL (no
// handler, no destructor, no flush: what a power cut or the OOM killer does to a job). Without the
// variable a call costs one load of a static flag.
//
// Sites (each placed where a kill is the most harmful):
//   store.write       inside a store transaction, after its rows and before the commit
//                     (Store::log_metrics, add_predictions, add_rollouts)
//   checkpoint.write  between the files of a checkpoint (weights written, optimiser and state not yet)
//   checkpoint.swap   between moving the previous checkpoint aside and putting the new one in place
//   train.step        in the middle of an optimiser step (gradients computed, weights not yet updated)
//
// A malformed value ("SITE" without ":N", N < 1) is ignored: this is a test hook, never a user setting.
#pragma once

namespace ps {

void crash_point(const char* site);

}  // namespace ps
