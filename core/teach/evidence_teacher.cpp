#include "teach/evidence_teacher.h"

#include <cmath>
#include <cstdio>

#include "prompt/answer_parser.h"
#include "prompt/cell_lines.h"

namespace ps::teach {

std::string TeacherTrace::completion() const { return "<think>\n" + reasoning + "\n</think>\n\n" + answer; }

TeacherTrace evidence_trace(const prompt::ItemEvidence& e, int label, const prompt::EvidenceLimits& lim) {
  TeacherTrace t;
  const std::string cell = prompt::cell_line_text(e.cell_line).name;
  std::string r = e.perturber + " knockdown in " + cell + ", read-out " + e.target + ".\n";
  // The neighbours the prompt shows.
  std::vector<std::string> hits;
  int shown = 0, n_hits = 0;
  for (const auto& o : e.neighbours) {
    if (static_cast<size_t>(shown) == lim.max_neighbours) break;
    ++shown;
    if (o.label == 1) {
      ++n_hits;
      if (hits.size() < 3) hits.push_back(o.symbol);
    }
  }
  if (shown == 0) {
    r += "No close knockdown was measured on " + e.target + ".\n";
  } else {
    r += "Of " + std::to_string(shown) + " close knockdowns measured on " + e.target + ", " + std::to_string(n_hits) +
         " changed it";
    if (!hits.empty()) {
      r += " (";
      for (size_t i = 0; i < hits.size(); ++i) r += (i ? ", " : "") + hits[i];
      r += ")";
    }
    r += " and " + std::to_string(shown - n_hits) + " did not.\n";
  }
  char buf[96];
  if (std::isnan(e.target_de_rate)) {
    r += e.target + " has no training knockdowns.\n";
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", 100.0 * e.target_de_rate);
    r += e.target + " was DE after " + std::string(buf) + "% of training knockdowns.\n";
  }
  if (e.string_score > 0 || (!e.shared_go.empty() && lim.max_go > 0)) {
    r += "Direct link:";
    if (e.string_score > 0) {
      std::snprintf(buf, sizeof buf, " STRING %.2f", e.string_score);
      r += buf;
    }
    if (!e.shared_go.empty() && lim.max_go > 0) r += std::string(e.string_score > 0 ? ";" : "") + " shared GO: " + e.shared_go[0];
    r += ".\n";
  } else {
    r += "No direct link.\n";
  }
  const double p = std::isnan(e.knn_probability) ? (std::isnan(e.target_de_rate) ? 0.14 : e.target_de_rate) : e.knn_probability;
  t.de = p >= 0.5;
  t.confidence = std::round(100.0 * (t.de ? p : 1.0 - p)) / 100.0;
  t.p_de = t.de ? t.confidence : 1.0 - t.confidence;
  const char* verdict = p >= 0.7 ? "DE looks likely." : p >= 0.5 ? "DE looks slightly more likely than not."
                        : p >= 0.3 ? "DE looks somewhat unlikely." : "DE looks unlikely.";
  r += verdict;
  t.reasoning = r;
  t.answer = prompt::format_answer(t.de, t.confidence, 2);
  t.correct = t.de == (label == 1);
  return t;
}

}  // namespace ps::teach
