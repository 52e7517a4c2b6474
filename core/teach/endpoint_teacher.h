// The endpoint teacher: reasoning traces from any OpenAI-compatible chat server
// (teach/endpoint_client.h), kept by the seed paper's distillation rule: a trace is kept only
// when prompt::parse_answer accepts it and its stated answer matches the item's label (the
// paper distilled 952 such traces). `keep_all` keeps every trace the server returned (for
// inspection); failed requests are never kept.
//
//   ps::teach::EndpointTeacher teacher(endpoint_config);
//   ps::teach::TeacherRun run = teacher.run(items);   // items: id, chat messages, label 0/1
//   for (const auto& t : run.traces) if (t.kept) store(t.id, t.completion, t.answer);
//   run.counts.made / kept / unparseable / wrong / failed
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lm/tokenizer/chat_template.h"
#include "prompt/answer_parser.h"
#include "teach/endpoint_client.h"

namespace ps::teach {

struct TeacherItem {
  std::string id;                                  // the item's id (e.g. "K562/X/Y"), unique per run
  std::vector<tokenizer::ChatMessage> messages;    // the prompt (core/prompt)
  int label = 0;                                   // 1: Y is DE under X's knockdown, 0: not
};

struct TeacherOptions {
  bool keep_all = false;  // keep every returned trace, not only parseable and correct ones
};

struct TeacherTrace {
  std::string id;
  int label = 0;
  std::string completion;        // the text as parsed (reasoning folded in, see endpoint_client.h)
  std::string finish_reason;     // the server's
  prompt::ParsedAnswer answer;   // parse_answer(completion, finish_reason == "length")
  bool made = false;             // the server returned a completion
  bool correct = false;          // made, parsed and answer.correct(label)
  bool kept = false;             // correct (or made, under keep_all)
  int attempts = 0;
  double seconds = 0;
  std::string error;             // the request's error ("" when made); never holds the key
};

struct TeacherCounts {
  int64_t requested = 0;    // items
  int64_t made = 0;         // completions returned       (made + failed = requested)
  int64_t failed = 0;       // requests that got none
  int64_t unparseable = 0;  // made, parse_answer failed  (unparseable + wrong + correct = made)
  int64_t wrong = 0;        // made, parsed, stated answer != label
  int64_t correct = 0;
  int64_t kept = 0;
  std::map<std::string, int64_t> unparseable_by_reason;  // prompt::to_string(failure) -> count
};

struct TeacherRun {
  TeacherCounts counts;
  std::vector<TeacherTrace> traces;  // one per item, in input order (see `kept`)
};

class EndpointTeacher {
 public:
  // ps::Error for a bad config or an unreadable key (endpoint_client.h).
  explicit EndpointTeacher(EndpointConfig config, TeacherOptions options = {});

  // ps::Error (naming the item) for a label other than 0/1, an empty or duplicate id, no messages.
  // HTTP and parse problems are counted, never thrown.
  TeacherRun run(const std::vector<TeacherItem>& items, const EndpointClient::ProgressFn& progress = {}) const;

  const EndpointClient& client() const { return client_; }

 private:
  EndpointClient client_;
  TeacherOptions options_;
};

}  // namespace ps::teach
