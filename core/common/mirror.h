// The data mirror's manifest: every file PerturbScope reads, its format (columns),
// whether it is required, its size, row count and SHA-256 as collected on
// 2026-11-22 (see ../shared/data/raw/SOURCES.md), and where it can be downloaded.
// check_mirror() validates a folder against it; `data check` and `data fetch` use it.
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace ps::mirror {

enum class Format {
  PairsCsv,    // pert,gene,label,split            label 0/1, split train/test
  SanityCsv,   // pert,gene,label,direction,split  label 0/1, direction -1/0/1
  Tsv,         // a header of named columns, the same number of fields on every row
  Gmt,         // name<TAB>id<TAB>gene...
  JsonObject,  // a JSON object
  JsonArray,   // a JSON array
  KeyValue,    // key|value lines (Bioconductor metadata)
};

struct FileSpec {
  const char* path;     // relative to the data folder
  Format format;
  const char* columns;  // the header, comma- or tab-separated as in the file; "" when none
  bool required;
  long long bytes;      // as in the reference mirror
  long long rows;       // data rows (without the header), -1 for JSON / key-value files
  const char* sha256;
  const char* url;      // a direct download; "" when the file is a local conversion (see note)
  const char* note;     // how to obtain it when there is no direct download
};

const std::vector<FileSpec>& manifest();

enum class Status { Ok, Missing, Malformed, Differs };
std::string to_string(Status s);

struct FileReport {
  const FileSpec* spec = nullptr;
  Status status = Status::Ok;
  long long rows = 0;       // data rows read
  long long bytes = 0;
  long bad_line = 0;        // first malformed line (1-based, 0 when none or whole file)
  long bad_lines = 0;       // how many lines are malformed
  std::string message;      // FILE:LINE: what is wrong / what differs
  bool checksum_checked = false;
};

// Validates one file (structure of every line; size and row count against the
// manifest; SHA-256 too when verify_checksum). `progress` receives bytes read.
FileReport check_file(const std::string& data_dir, const FileSpec& spec, bool verify_checksum = false,
                      const std::function<void(long long)>& progress = {});

// A file's report is a failure when it is required and missing, or present and malformed.
bool is_failure(const FileReport& r);

long long total_bytes();  // of the whole manifest

}  // namespace ps::mirror
