#include "lm/cpu_threads.h"

#include <cstdlib>

#include <unistd.h>

namespace ps::lm {

void restart_with_passive_openmp_waits(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;  // set by the user, or by us before the exec
  if (::setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0) != 0) return;
  ::execv("/proc/self/exe", argv);  // returns only on failure: then carry on with spinning waits
}

}  // namespace ps::lm
