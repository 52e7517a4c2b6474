#include "jobs/checkpoint.h"

#include <filesystem>

#include "common/error.h"
#include "common/fileio.h"

namespace fs = std::filesystem;

namespace ps::jobs {

namespace {
constexpr int kFormat = 1;  // the wrapper's layout: {"format":1,"state":...}
}

std::string checkpoint_path(const std::string& checkpoint_dir) {
  return (fs::path(checkpoint_dir) / "checkpoint.json").string();
}

void save_checkpoint(const std::string& dir, const nlohmann::json& state) {
  if (dir.empty()) return;
  nlohmann::json doc = {{"format", kFormat}, {"state", state}};
  write_file_atomic(checkpoint_path(dir), doc.dump(1) + "\n");
}

std::optional<nlohmann::json> load_checkpoint(const std::string& dir) {
  if (dir.empty()) return std::nullopt;
  std::string path = checkpoint_path(dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  nlohmann::json doc = nlohmann::json::parse(read_file(path), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(where(path, 0, "checkpoint is not valid JSON; delete it to start the job from scratch"));
  if (!doc.contains("format") || !doc["format"].is_number_integer() || doc["format"].get<int>() > kFormat)
    throw Error(where(path, 0, "checkpoint has an unknown format (field 'format'); delete it to start from scratch"));
  if (!doc.contains("state")) throw Error(where(path, 0, "checkpoint lacks the field 'state'"));
  return doc["state"];
}

void clear_checkpoint(const std::string& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::remove(checkpoint_path(dir), ec);
}

void save_checkpoint(const JobContext& ctx, const nlohmann::json& state) { save_checkpoint(ctx.checkpoint_dir(), state); }
std::optional<nlohmann::json> load_checkpoint(const JobContext& ctx) { return load_checkpoint(ctx.checkpoint_dir()); }
void clear_checkpoint(const JobContext& ctx) { clear_checkpoint(ctx.checkpoint_dir()); }

}  // namespace ps::jobs
