// safetensors: the tensor file format of Hugging Face checkpoints.
//   [u64 little-endian N][N bytes JSON header][data area]
//   header: {"name": {"dtype": "F32"|"F16"|"BF16"|..., "shape": [..], "data_offsets": [begin, end)}, ...,
//            "__metadata__": {string: string}}   offsets are relative to the data area (byte 8+N).
// Reading memory-maps the file and validates the whole header before any tensor is touched:
// a corrupt file is a ps::Error naming the file and the tensor, never a crash.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

namespace ps::lm {

struct TensorEntry {
  std::string name;
  std::string dtype;            // "F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL"
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range in the data area
};

class SafetensorsFile {
 public:
  // Maps the file read-only and validates its header (throws ps::Error).
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<TensorEntry>& entries() const { return entries_; }  // sorted by name
  const TensorEntry* find(const std::string& name) const;               // nullptr when absent
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // A CPU tensor of the stored dtype that owns a copy of the bytes.
  at::Tensor read(const std::string& name) const;

 private:
  std::string path_;
  const uint8_t* map_ = nullptr;
  size_t size_ = 0;
  const uint8_t* data_ = nullptr;  // start of the data area
  std::vector<TensorEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Writes tensors (any device; F32, F16, BF16, F64, I64, I32, I8, U8, BOOL) in the reference layout:
// names sorted, header padded with spaces to a multiple of 8 bytes, data packed in name order.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

// " (it holds F, ...)" naming the pickle-based weight files (.bin, .pt, .pth, .pkl, .ckpt) of a
// folder, to explain why a folder without safetensors is refused; "" when it holds none. Such files
// are never opened: unpickling can run arbitrary code, so only safetensors (plain data) are read.
std::string pickle_files_hint(const std::string& dir);

// A checkpoint folder: model.safetensors, or shards listed by model.safetensors.index.json
// ({"weight_map": {tensor name: shard file}}). Every shard tensor must be listed in the index
// under that shard, and every listed tensor must be in its shard.
class Checkpoint {
 public:
  explicit Checkpoint(const std::string& dir);
  std::vector<std::string> names() const;                      // sorted
  const TensorEntry* find(const std::string& name) const;     // nullptr when absent
  const std::string& file_of(const std::string& name) const;  // the shard holding it
  at::Tensor read(const std::string& name) const;
  const std::string& dir() const { return dir_; }
  // What error messages name: model.safetensors, or the index file when sharded.
  const std::string& description() const { return description_; }

 private:
  std::string dir_, description_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsFile*> where_;
};

// Throws ps::Error "FILE: tensor 'NAME' holds N non-finite values (NaN or infinity)" when a
// floating-point tensor has any; with `cast_to`, the tensor is the stored one cast to that dtype
// and the message says the values overflow it. Integer and bool tensors always pass.
void require_finite(const at::Tensor& t, const std::string& file, const std::string& name,
                    std::optional<at::ScalarType> cast_to = std::nullopt);

// "F32" -> at::kFloat, ...; throws ps::Error for names it does not know.
at::ScalarType safetensors_dtype(const std::string& name, const std::string& context);
std::string safetensors_dtype_name(at::ScalarType t);

}  // namespace ps::lm
