#include "common/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ps {

namespace {

struct Spec {
  bool armed = false;
  std::string site;
  long n = 0;
  std::atomic<long> hits{0};
};

Spec& spec() {
  static Spec* s = [] {
    auto* p = new Spec;  // never destroyed: crash points may be reached during static destruction
    const char* v = std::getenv("PERTURBSCOPE_CRASH_AT");
    if (!v) return p;
    const char* colon = std::strrchr(v, ':');
    if (!colon || colon == v) return p;
    char* end = nullptr;
    const long n = std::strtol(colon + 1, &end, 10);
    if (!end || *end != '\0' || n < 1) return p;
    p->site.assign(v, colon);
    p->n = n;
    p->armed = true;
    return p;
  }();
  return *s;
}

}  // namespace

void crash_point(const char* site) {
  Spec& s = spec();
  if (!s.armed || s.site != site) return;
  if (s.hits.fetch_add(1) + 1 == s.n) {
    ::kill(::getpid(), SIGKILL);
    ::pause();
  }
}

}  // namespace ps
