#include "lm/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_file.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::lm {

namespace {

constexpr uint64_t kMaxHeader = 100ull * 1000 * 1000;  // the reference implementation's limit

struct DtypeInfo {
  const char* name;
  at::ScalarType type;
  size_t bytes;
  bool readable;
};
// Every dtype of the reference crate (safetensors::Dtype) with its size, so that any valid file's
// header validates; `readable` says whether read() can turn it into a libtorch tensor.
const DtypeInfo kDtypes[] = {
    {"F32", at::kFloat, 4, true}, {"F16", at::kHalf, 2, true},  {"BF16", at::kBFloat16, 2, true},
    {"F64", at::kDouble, 8, true}, {"I64", at::kLong, 8, true},  {"I32", at::kInt, 4, true},
    {"I16", at::kShort, 2, true},  {"I8", at::kChar, 1, true},   {"U8", at::kByte, 1, true},
    {"BOOL", at::kBool, 1, true},  {"U16", at::kByte, 2, false}, {"U32", at::kByte, 4, false},
    {"U64", at::kByte, 8, false},  {"F8_E5M2", at::kByte, 1, false}, {"F8_E4M3", at::kByte, 1, false},
};

const DtypeInfo* dtype_info(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

}  // namespace

at::ScalarType safetensors_dtype(const std::string& name, const std::string& context) {
  const DtypeInfo* d = dtype_info(name);
  if (!d || !d->readable) throw Error(context + ": unsupported dtype '" + name + "'");
  return d->type;
}

void require_finite(const at::Tensor& t, const std::string& file, const std::string& name,
                    std::optional<at::ScalarType> cast_to) {
  if (!at::isFloatingType(t.scalar_type()) || t.numel() == 0) return;
  if (at::isfinite(t).all().item<bool>()) return;
  const int64_t bad = t.numel() - at::isfinite(t).sum().item<int64_t>();
  if (cast_to)
    throw Error(where(file, 0, "tensor '" + name + "': " + std::to_string(bad) + " value(s) overflow " +
                                   c10::toString(*cast_to) + " (load in a wider dtype, e.g. float32)"));
  throw Error(where(file, 0, "tensor '" + name + "' holds " + std::to_string(bad) +
                                 " non-finite value(s) (NaN or infinity): the checkpoint is corrupt or diverged"));
}

std::string safetensors_dtype_name(at::ScalarType t) {
  for (const auto& d : kDtypes)
    if (d.readable && d.type == t) return d.name;
  throw Error(std::string("safetensors: cannot store tensors of dtype ") + c10::toString(t));
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(where(path, 0, std::string("cannot open: ") + std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(where(path, 0, "not a regular file"));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ < 8) {
    ::close(fd);
    throw Error(where(path, 0, "too short for a safetensors file (" + std::to_string(size_) + " bytes)"));
  }
  void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) throw Error(where(path, 0, std::string("cannot map: ") + std::strerror(errno)));
  map_ = static_cast<const uint8_t*>(m);

  try {
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | map_[i];  // little-endian u64
    if (n > kMaxHeader) throw Error(where(path, 0, "header length " + std::to_string(n) + " exceeds the 100 MB limit"));
    if (n > size_ - 8)
      throw Error(where(path, 0, "header length " + std::to_string(n) + " runs past the end of the file (" +
                                     std::to_string(size_) + " bytes)"));
    data_ = map_ + 8 + n;
    const uint64_t data_size = size_ - 8 - n;

    // The reference reader's rules (huggingface/safetensors, Metadata::validate and read_metadata):
    // the header is a UTF-8 JSON object starting with '{'; every tensor name appears once; sorted by
    // offsets, the tensors tile the data area exactly: the first starts at 0, each starts where the
    // previous ended, and the last ends at the end of the file; each byte length equals
    // product(shape) x dtype size, computed without overflow.
    const char* hb = reinterpret_cast<const char*>(map_ + 8);
    if (n == 0 || hb[0] != '{') throw Error(where(path, 0, "header does not start with '{' (not a safetensors file)"));
    std::string duplicate;
    std::vector<std::set<std::string>> keys;  // keys seen per open object, by depth
    json::parser_callback_t no_duplicates = [&](int depth, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::object_start) {
        if (keys.size() <= static_cast<size_t>(depth)) keys.resize(static_cast<size_t>(depth) + 1);
        keys[depth].clear();
      } else if (event == json::parse_event_t::key && depth >= 1 && static_cast<size_t>(depth) <= keys.size()) {
        if (!keys[depth - 1].insert(parsed.get<std::string>()).second && duplicate.empty())
          duplicate = parsed.get<std::string>();
      }
      return true;
    };
    json header;
    try {
      header = json::parse(hb, hb + n, no_duplicates);
    } catch (const json::exception& e) {
      throw Error(where(path, 0, std::string("header is not valid JSON: ") + e.what()));
    }
    if (!duplicate.empty())
      throw Error(where(path, 0, "header names '" + duplicate + "' twice (a reader would silently keep one entry)"));
    if (!header.is_object()) throw Error(where(path, 0, "header is not a JSON object"));

    for (auto it = header.begin(); it != header.end(); ++it) {
      const std::string& name = it.key();
      const json& v = it.value();
      if (name == "__metadata__") {
        if (!v.is_object()) throw Error(where(path, 0, "__metadata__ is not an object"));
        for (auto m2 = v.begin(); m2 != v.end(); ++m2) {
          if (!m2.value().is_string()) throw Error(where(path, 0, "__metadata__['" + m2.key() + "'] is not a string"));
          metadata_[m2.key()] = m2.value().get<std::string>();
        }
        continue;
      }
      auto bad = [&](const std::string& msg) { return Error(where(path, 0, "tensor '" + name + "': " + msg)); };
      if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
        throw bad("entry needs dtype, shape and data_offsets");
      TensorEntry e;
      e.name = name;
      if (!v["dtype"].is_string()) throw bad("dtype is not a string");
      e.dtype = v["dtype"].get<std::string>();
      const DtypeInfo* d = dtype_info(e.dtype);
      if (!d) throw bad("unsupported dtype '" + e.dtype + "'");
      if (!v["shape"].is_array()) throw bad("shape is not a list");
      uint64_t numel = 1;
      for (const auto& s : v["shape"]) {
        if (!s.is_number_unsigned()) throw bad("shape has a non-integer or negative dimension " + s.dump());
        const uint64_t dim = s.get<uint64_t>();
        if (dim > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, dim, &numel))
          throw bad("shape " + v["shape"].dump() + " overflows the element count");
        e.shape.push_back(static_cast<int64_t>(dim));
      }
      uint64_t nbytes = 0;
      if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d->bytes), &nbytes))
        throw bad("shape " + v["shape"].dump() + " x " + e.dtype + " overflows the byte count");
      const json& off = v["data_offsets"];
      if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
        throw bad("data_offsets must be two non-negative integers");
      e.begin = off[0].get<uint64_t>();
      e.end = off[1].get<uint64_t>();
      if (e.begin > e.end) throw bad("data_offsets begin > end");
      if (e.end > data_size)
        throw bad("data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                  ") out of range: the data area has " + std::to_string(data_size) + " bytes");
      if (e.end - e.begin != nbytes)
        throw bad("data_offsets span " + std::to_string(e.end - e.begin) + " bytes but dtype " + e.dtype +
                  " and shape need " + std::to_string(nbytes));
      entries_.push_back(std::move(e));
    }
    // Sorted by offsets, the tensors must tile [0, data_size) with neither overlap nor gap.
    std::vector<const TensorEntry*> by_offset;
    for (const auto& e : entries_) by_offset.push_back(&e);
    std::sort(by_offset.begin(), by_offset.end(), [](const TensorEntry* a, const TensorEntry* b) {
      return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t covered = 0;
    const TensorEntry* prev = nullptr;
    for (const TensorEntry* e : by_offset) {
      if (e->begin < covered)
        throw Error(where(path, 0, "tensor '" + e->name + "': data_offsets [" + std::to_string(e->begin) + ", " +
                                       std::to_string(e->end) + ") overlap tensor '" + (prev ? prev->name : "") + "'"));
      if (e->begin > covered)
        throw Error(where(path, 0, "tensor '" + e->name + "': data_offsets start at " + std::to_string(e->begin) +
                                       " but the previous tensor ends at " + std::to_string(covered) +
                                       " (tensors must be contiguous, without gaps)"));
      covered = e->end;
      prev = e;
    }
    if (covered != data_size)
      throw Error(where(path, 0, "the tensors cover " + std::to_string(covered) + " bytes of the " +
                                     std::to_string(data_size) +
                                     "-byte data area (the last one must end at the end of the file)"));
    std::sort(entries_.begin(), entries_.end(), [](const TensorEntry& a, const TensorEntry& b) { return a.name < b.name; });
  } catch (...) {
    ::munmap(const_cast<uint8_t*>(map_), size_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(const_cast<uint8_t*>(map_), size_);
}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const TensorEntry& e, const std::string& n) { return e.name < n; });
  return it != entries_.end() && it->name == name ? &*it : nullptr;
}

at::Tensor SafetensorsFile::read(const std::string& name) const {
  const TensorEntry* e = find(name);
  if (!e) throw Error(where(path_, 0, "no tensor named '" + name + "'"));
  at::Tensor t = at::empty(e->shape, at::TensorOptions().dtype(safetensors_dtype(e->dtype, path_)));
  // Copy rather than alias the mapping: offsets need not be aligned, and the tensor outlives the file.
  if (e->end > e->begin) std::memcpy(t.data_ptr(), data_ + e->begin, e->end - e->begin);
  return t;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, at::Tensor>> sorted;
  for (const auto& [name, t] : tensors) sorted.emplace_back(name, t.detach().to(at::kCPU).contiguous());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i].first == sorted[i - 1].first) throw Error(where(path, 0, "duplicate tensor name '" + sorted[i].first + "'"));

  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : sorted) {
    uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", safetensors_dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');

  std::string tmp = path + ".tmp";
  // A failed write (disk full, file-size limit, read-only folder) names the path and the OS's
  // reason and leaves neither the temporary file nor a truncated file under `path`.
  auto failed = [&](const char* what) {
    const int err = errno;
    std::error_code ec;
    fs::remove(tmp, ec);
    return Error(where(path, 0, std::string(what) + ": " + std::strerror(err)));
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw failed("cannot write");
    uint8_t len[8];
    uint64_t n = h.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    for (const auto& [name, t] : sorted)
      out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
    out.flush();
    if (!out) throw failed("write failed");
    out.close();
    if (!out) throw failed("write failed");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw Error(where(path, 0, "cannot move the written file into place: " + ec.message()));
}

std::string pickle_files_hint(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".pkl" || ext == ".pickle" || ext == ".ckpt")
      found.push_back(e.path().filename().string());
  }
  if (found.empty()) return "";
  std::sort(found.begin(), found.end());
  std::string list;
  for (size_t i = 0; i < found.size() && i < 3; ++i) list += (i ? ", " : "") + found[i];
  if (found.size() > 3) list += ", ...";
  return " (it holds " + list + ": pickle-based files are never loaded, since unpickling can run code; "
         "convert the weights to safetensors, e.g. with save_pretrained(..., safe_serialization=True))";
}

Checkpoint::Checkpoint(const std::string& dir) : dir_(dir) {
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  const fs::path single = fs::path(dir) / "model.safetensors";
  if (fs::exists(index)) {
    description_ = index.string();
    json j = read_json_file_strict(description_);
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      throw Error(where(description_, 0, "missing the 'weight_map' object"));
    std::map<std::string, const SafetensorsFile*> by_file;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it.value().is_string())
        throw Error(where(description_, 0, "weight_map['" + it.key() + "'] is not a file name"));
      std::string file = it.value().get<std::string>();
      if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
        throw Error(where(description_, 0, "weight_map['" + it.key() + "']: shard name '" + file + "' must be a plain file name"));
      if (!by_file.count(file)) {
        files_.push_back(std::make_unique<SafetensorsFile>((fs::path(dir) / file).string()));
        by_file[file] = files_.back().get();
      }
      const SafetensorsFile* f = by_file[file];
      if (!f->find(it.key()))
        throw Error(where(f->path(), 0, "tensor '" + it.key() + "' is listed in the index but missing from this shard"));
      where_[it.key()] = f;
    }
    for (const auto& f : files_)
      for (const auto& e : f->entries()) {
        auto w = where_.find(e.name);
        if (w == where_.end() || w->second != f.get())
          throw Error(where(f->path(), 0, "unexpected tensor '" + e.name + "': not listed for this shard in the index"));
      }
  } else if (fs::exists(single)) {
    description_ = single.string();
    files_.push_back(std::make_unique<SafetensorsFile>(single.string()));
    for (const auto& e : files_[0]->entries()) where_[e.name] = files_[0].get();
  } else {
    throw Error(where(dir, 0, "no model.safetensors or model.safetensors.index.json in this folder" + pickle_files_hint(dir)));
  }
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : where_) out.push_back(n);
  return out;
}

const TensorEntry* Checkpoint::find(const std::string& name) const {
  auto it = where_.find(name);
  return it == where_.end() ? nullptr : it->second->find(name);
}

const std::string& Checkpoint::file_of(const std::string& name) const {
  auto it = where_.find(name);
  return it == where_.end() ? description_ : it->second->path();
}

at::Tensor Checkpoint::read(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw Error(where(description_, 0, "missing tensor '" + name + "'"));
  return it->second->read(name);
}

}  // namespace ps::lm
