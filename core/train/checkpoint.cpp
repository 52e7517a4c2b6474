#include "train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <cstring>
#include <map>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>

#include "common/crash_point.h"
#include "common/error.h"
#include "common/fileio.h"
#include "lm/safetensors.h"

namespace fs = std::filesystem;

namespace ps::train {

namespace {

void fsync_path(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

bool has_train_checkpoint(const std::string& dir) {
  return fs::exists(fs::path(dir) / "state.json") || fs::exists(fs::path(dir + ".old") / "state.json");
}

int64_t checkpoint_step(const std::string& dir) {
  fs::path state = fs::path(dir) / "state.json";
  if (!fs::exists(state)) state = fs::path(dir + ".old") / "state.json";  // killed between renames
  if (!fs::exists(state)) return 0;
  std::ifstream in(state);
  try {
    const auto j = nlohmann::json::parse(in);
    return j.value("step", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    throw Error(where(state.string(), 0, std::string("invalid checkpoint state: ") + e.what()));
  }
}

void save_train_checkpoint(const std::string& dir, const NamedParams& params, torch::optim::Optimizer& optim,
                           const nlohmann::json& state) {
  const fs::path tmp = dir + ".tmp", old = dir + ".old", final_dir = dir;
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) throw Error(where(tmp.string(), 0, "cannot create checkpoint folder: " + ec.message()));
  try {
    lm::NamedTensors named;
    for (const auto& [n, t] : params) named.emplace_back(n, t.detach().to(at::kCPU).contiguous());
    lm::save_safetensors((tmp / "weights.safetensors").string(), named);
    crash_point("checkpoint.write");
    torch::serialize::OutputArchive archive;
    optim.save(archive);
    archive.save_to((tmp / "optimizer.pt").string());
    ps::write_file_atomic((tmp / "state.json").string(), state.dump(1));
  } catch (const c10::Error& e) {
    fs::remove_all(tmp, ec);
    throw Error(where(tmp.string(), 0, std::string("cannot write checkpoint: ") + e.what_without_backtrace()));
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  for (const char* f : {"weights.safetensors", "optimizer.pt", "state.json"}) fsync_path(tmp / f);
  fsync_path(tmp);
  // <dir>.old is the only checkpoint when an earlier save was killed between the two renames
  // below: it is dropped only once <dir> is there to take its place.
  if (fs::exists(final_dir)) {
    fs::remove_all(old, ec);
    if (!ec) fs::rename(final_dir, old, ec);
    if (ec) throw Error(where(dir, 0, "cannot move the previous checkpoint aside: " + ec.message()));
  }
  crash_point("checkpoint.swap");
  fs::rename(tmp, final_dir, ec);
  if (ec) throw Error(where(dir, 0, "cannot put the new checkpoint in place: " + ec.message()));
  fsync_path(final_dir.parent_path());
  fs::remove_all(old, ec);
}

std::optional<nlohmann::json> load_train_checkpoint(const std::string& dir_in, const NamedParams& params,
                                                    torch::optim::Optimizer& optim) {
  fs::path dir = dir_in;
  if (!fs::exists(dir / "state.json")) {
    if (fs::exists(fs::path(dir_in + ".old") / "state.json")) dir = dir_in + ".old";  // killed between renames
    else return std::nullopt;
  }
  nlohmann::json state;
  {
    std::ifstream in(dir / "state.json");
    try {
      state = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw Error(where((dir / "state.json").string(), 0, std::string("invalid checkpoint state: ") + e.what()));
    }
  }
  const std::string wpath = (dir / "weights.safetensors").string();
  lm::SafetensorsFile file(wpath);
  at::NoGradGuard no_grad;
  for (const auto& [name, t] : params) {
    const lm::TensorEntry* e = file.find(name);
    if (!e) throw Error(where(wpath, 0, "checkpoint has no tensor '" + name + "' (another model or adapter?)"));
    at::Tensor v = file.read(name);
    if (v.sizes() != t.sizes()) throw Error(where(wpath, 0, "tensor '" + name + "' has another shape than the model's"));
    at::Tensor target = t;
    target.copy_(v.to(t.device(), t.scalar_type()));
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from((dir / "optimizer.pt").string());
    optim.load(archive);
  } catch (const c10::Error& e) {
    throw Error(where((dir / "optimizer.pt").string(), 0, std::string("cannot read optimiser state: ") + e.what_without_backtrace()));
  }
  return state;
}

nlohmann::json cpu_rng_state() {
  at::Generator g = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(g.mutex());
  at::Tensor s = g.get_state();
  const uint8_t* p = s.data_ptr<uint8_t>();
  return std::vector<uint8_t>(p, p + s.numel());
}

void set_cpu_rng_state(const nlohmann::json& j) {
  std::vector<uint8_t> bytes = j.get<std::vector<uint8_t>>();
  at::Tensor s = at::empty({static_cast<int64_t>(bytes.size())}, at::kByte);
  std::memcpy(s.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  at::Generator g = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_state(s);
}

}  // namespace ps::train
