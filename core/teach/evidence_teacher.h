// The built-in evidence teacher: offline, deterministic. It writes a short reasoning trace from
// the prompt's own evidence (prompt/evidence.h) and answers with the calibrated KNN-KG
// probability p = P(DE):
//
//   de = p >= 0.5,   confidence = de ? p : 1 - p        (answer_parser.h's convention)
//
// Trace (every number is copied from the evidence the prompt shows, after the prompt's own words,
// so that a small policy learns to copy it; gene names are left out):
//   Closest knockdowns: 2 hits, 6 non-hits.
//   DE after 12% of 850 training knockdowns; STRING 0.40.
//   DE is unlikely.
//
// Like the endpoint teacher it keeps, by default, only parseable and correct traces (the seed
// paper's distillation recipe); the counts of made and kept traces are returned for the run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "prompt/evidence.h"

namespace ps::teach {

struct EvidenceTrace {
  std::string reasoning;   // the text inside <think>...</think>
  std::string answer;      // {"de": ..., "confidence": ...}
  bool de = false;
  double confidence = 0;   // in the stated answer
  double p_de = 0;         // P(DE) = the KNN-KG probability (rounded as in the answer)
  bool correct = false;    // de == (label == 1)
  std::string completion() const;  // "<think>\n" + reasoning + "\n</think>\n\n" + answer
};

struct EvidenceTraceOptions {
  bool state_rate = true;  // the line "DE after 12% of 850 training knockdowns" (false: left out)
};

// One trace for one item (shown evidence only: `limits` as the prompt used).
EvidenceTrace evidence_trace(const prompt::ItemEvidence& e, int label, const prompt::EvidenceLimits& limits,
                             const EvidenceTraceOptions& options = {});

}  // namespace ps::teach
