#include "teach/evidence_teacher.h"

#include <cmath>
#include <cstdio>

#include "prompt/answer_parser.h"

namespace ps::teach {

std::string EvidenceTrace::completion() const { return "<think>\n" + reasoning + "\n</think>\n\n" + answer; }

EvidenceTrace evidence_trace(const prompt::ItemEvidence& e, int label, const prompt::EvidenceLimits& lim,
                             const EvidenceTraceOptions& opt) {
  EvidenceTrace t;
  std::string r;
  // The prompt's own phrases (prompt/evidence.cpp), names left out: each number the trace states
  // follows the same words as in the prompt, so a small policy copies it rather than recounts.
  int shown = 0, n_hits = 0;
  for (const auto& o : e.neighbours) {
    if (static_cast<size_t>(shown) == lim.max_neighbours) break;
    ++shown;
    n_hits += o.label == 1;
  }
  const int n_non = shown - n_hits;
  if (!e.perturber_in_graph || shown == 0) r += "Closest knockdowns: none measured.\n";
  else
    r += "Closest knockdowns: " + std::to_string(n_hits) + (n_hits == 1 ? " hit, " : " hits, ") + std::to_string(n_non) +
         (n_non == 1 ? " non-hit.\n" : " non-hits.\n");
  char buf[96];
  if (!opt.state_rate) {
    r += "Direct link";
  } else if (std::isnan(e.target_de_rate) || e.target_train_n == 0) {
    r += "No training knockdowns";
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", 100.0 * e.target_de_rate);
    r += "DE after " + std::string(buf) + "% of " + std::to_string(e.target_train_n) + " training knockdowns";
  }
  if (e.string_score > 0) {
    std::snprintf(buf, sizeof buf, opt.state_rate ? "; STRING %.2f" : ": STRING %.2f", e.string_score);
    r += buf;
  } else {
    r += opt.state_rate ? "; no STRING link" : ": no STRING link";
  }
  r += ".\n";
  const double p = std::isnan(e.knn_probability) ? (std::isnan(e.target_de_rate) ? 0.14 : e.target_de_rate) : e.knn_probability;
  t.de = p >= 0.5;
  t.confidence = std::round(100.0 * (t.de ? p : 1.0 - p)) / 100.0;
  t.p_de = t.de ? t.confidence : 1.0 - t.confidence;
  const char* verdict = p >= 0.7 ? "DE is likely." : p >= 0.5 ? "DE is slightly more likely than not."
                        : p >= 0.3 ? "DE is somewhat unlikely." : "DE is unlikely.";
  r += verdict;
  t.reasoning = r;
  t.answer = prompt::format_answer(t.de, t.confidence, 2);
  t.correct = t.de == (label == 1);
  return t;
}

}  // namespace ps::teach
