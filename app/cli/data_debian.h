// The GO and gene tables of the data mirror are exports of the SQLite databases in
// Debian's r-bioc-go.db and r-bioc-org.hs.eg.db 3.16.0-1 packages. `data fetch`
// rebuilds them: apt-get download, dpkg-deb -x, then the same SQL export, which
// reproduces the mirror's files byte for byte (the manifest's SHA-256 checks it).
#pragma once
#include <string>
#include <vector>

namespace ps::cli {

// True for files this recipe can rebuild (go_orghs_bioc316/...).
bool built_from_debian(const std::string& mirror_path);

// Writes the export of `mirror_path` to out_file. work_dir is a scratch folder where
// the packages are downloaded and unpacked once (reused for the other files).
// run(argv) runs a program and returns its exit status. Throws ps::Error.
void export_from_debian(const std::string& mirror_path, const std::string& out_file, const std::string& work_dir,
                        int (*run)(const std::vector<std::string>&));

}  // namespace ps::cli
