#include "teach/endpoint_teacher.h"

#include <set>

#include "common/error.h"

namespace ps::teach {

EndpointTeacher::EndpointTeacher(EndpointConfig config, TeacherOptions options)
    : client_(std::move(config)), options_(options) {}

TeacherRun EndpointTeacher::run(const std::vector<TeacherItem>& items,
                                const EndpointClient::ProgressFn& progress) const {
  std::set<std::string> ids;
  std::vector<ChatRequest> requests;
  requests.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const TeacherItem& item = items[i];
    const std::string name = "teacher item " + std::to_string(i) + " ('" + item.id + "')";
    if (item.id.empty()) throw Error("teacher item " + std::to_string(i) + ": id is empty");
    if (!ids.insert(item.id).second) throw Error(name + ": duplicate id");
    if (item.label != 0 && item.label != 1)
      throw Error(name + ": label must be 0 or 1, got " + std::to_string(item.label));
    if (item.messages.empty()) throw Error(name + ": no messages");
    requests.push_back({item.id, item.messages});
  }

  const std::vector<ChatResult> results = client_.complete_all(requests, progress);

  TeacherRun out;
  out.counts.requested = static_cast<int64_t>(items.size());
  out.traces.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const ChatResult& r = results[i];
    TeacherTrace t;
    t.id = items[i].id;
    t.label = items[i].label;
    t.attempts = r.attempts;
    t.seconds = r.seconds;
    t.error = r.error;
    t.finish_reason = r.finish_reason;
    if (!r.ok()) {
      ++out.counts.failed;
    } else {
      t.made = true;
      ++out.counts.made;
      t.completion = r.text;
      t.answer = prompt::parse_answer(r.text, r.finish_reason == "length");
      if (!t.answer.ok()) {
        ++out.counts.unparseable;
        ++out.counts.unparseable_by_reason[prompt::to_string(t.answer.failure)];
      } else if (!t.answer.correct(t.label)) {
        ++out.counts.wrong;
      } else {
        t.correct = true;
        ++out.counts.correct;
      }
      t.kept = t.correct || options_.keep_all;
      if (t.kept) ++out.counts.kept;
    }
    out.traces.push_back(std::move(t));
  }
  return out;
}

}  // namespace ps::teach
