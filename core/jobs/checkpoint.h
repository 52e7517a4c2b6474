// The checkpoint convention for resumable jobs: the job's state is one JSON
// document, <checkpoint_dir>/checkpoint.json, replaced atomically (write a
// temporary file, fsync, rename) so a kill at any moment leaves either the previous
// checkpoint or the new one. A job loads it on start and skips the work it records
// as done; large state (model weights) lives in files beside it that the JSON names.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "jobs/job.h"

namespace ps::jobs {

std::string checkpoint_path(const std::string& checkpoint_dir);  // <dir>/checkpoint.json

// No-ops / nullopt when the context has no checkpoint_dir (the job is not resumable).
void save_checkpoint(const JobContext& ctx, const nlohmann::json& state);
std::optional<nlohmann::json> load_checkpoint(const JobContext& ctx);  // nullopt: start from scratch
void clear_checkpoint(const JobContext& ctx);                         // after the job finished

// The same by folder. load throws ps::Error naming the file when it is not valid JSON.
void save_checkpoint(const std::string& checkpoint_dir, const nlohmann::json& state);
std::optional<nlohmann::json> load_checkpoint(const std::string& checkpoint_dir);
void clear_checkpoint(const std::string& checkpoint_dir);

}  // namespace ps::jobs
