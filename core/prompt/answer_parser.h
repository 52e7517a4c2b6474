// The one parser of a policy's answer, for the whole product (SFT data checks, GRPO
// rewards, evaluation, TTC, the endpoint teacher, the GUI's trace review).
//
// Expected completion (RLCR's convention, adapted to PerturbQA's binary DE question):
//
//   <think>                 (optional here: the generation prompt may already hold it)
//   ... reasoning ...
//   </think>
//   {"de": true, "confidence": 0.83}
//
// `confidence` c in [0, 1] is the model's confidence in the answer it states, so
//   P(DE) = c        if de
//         = 1 - c    otherwise
// and Brier/ECE of P(DE) against the label equal Brier/ECE of c against correctness.
//
// Rules: the answer is the last top-level JSON object after the last "</think>"; whitespace,
// surrounding prose and Markdown code fences (```json ... ```) are tolerated; the object must
// hold exactly the fields "de" (a JSON boolean) and "confidence" (a finite JSON number in
// [0, 1]); anything else is a named failure. Each failure has one reason, counted by the metrics.
#pragma once
#include <string>
#include <string_view>

namespace ps::prompt {

enum class ParseFailure {
  None,                  // parsed
  NoThinkEnd,            // no "</think>" in the completion
  NoJson,                // no complete JSON object after the last "</think>"
  BadField,              // missing/extra field, "de" not a boolean, "confidence" not a number
  ConfidenceOutOfRange,  // confidence not finite or outside [0, 1]
  Truncated,             // generation hit its token limit before a parseable answer
};

// "none", "no_think_end", "no_json", "bad_field", "confidence_out_of_range", "truncated"
const char* to_string(ParseFailure f);
// The inverse; returns false for an unknown name.
bool parse_failure_from_string(std::string_view name, ParseFailure& out);

struct ParsedAnswer {
  ParseFailure failure = ParseFailure::None;
  std::string detail;        // human-readable context of the failure ("" when ok)
  bool de = false;           // the stated answer
  double confidence = 0;     // in [0, 1], confidence in the stated answer
  std::string reasoning;     // text before the last "</think>" (without a leading "<think>")
  bool ok() const { return failure == ParseFailure::None; }
  // P(DE) = c if de else 1 - c. Only meaningful when ok().
  double p_de() const { return de ? confidence : 1.0 - confidence; }
  // Whether the stated answer matches label (0/1). Only meaningful when ok().
  bool correct(int label) const { return de == (label == 1); }
};

// `truncated`: the generation ended at its token limit (finish_reason "length"). A truncated
// completion that still holds a parseable answer is accepted; otherwise its reason is Truncated.
ParsedAnswer parse_answer(std::string_view completion, bool truncated = false);

// The canonical answer text the teachers write: {"de": true, "confidence": 0.83} with the
// confidence rounded to `decimals` places.
std::string format_answer(bool de, double confidence, int decimals = 2);

}  // namespace ps::prompt
