// perturbscope-cli: every job of the workbench, headless.
//
// Start and end of the process, under tight memory (issue 15; `ulimit -v`):
//   - `--version` and `--help` are answered from the executable's .preinit_array, which the
//     dynamic loader runs before the initialisers of any shared library: libtorch registers its
//     operators at load time (hundreds of MB of address space; std::bad_alloc there ends the
//     process in std::terminate), and OpenBLAS starts its worker threads at load time.
//   - An exception that escapes anything (a library's initialiser, a thread) ends the process with
//     one clear line and exit 1 (std::set_terminate, installed from .preinit_array too), never abort.
//   - main() ends with std::_Exit after flushing, not exit(): exit() runs the libraries' finalisers,
//     and OpenBLAS's (gotoblas_quit) joins its worker threads. A worker of OpenBLAS 0.3.21 (pthreads)
//     allocates its 128 MiB buffer when it starts and retries forever when that fails
//     (blas_memory_alloc), so under an address-space limit the join never returned: the process
//     printed its error, then hung. No code of ours needs the finalisers: stores and files are
//     closed by their owners before main() returns, and nothing uses atexit().
#include <csignal>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <c10/util/Exception.h>

#include "cli/args.h"
#include "cli/cmd_figures.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/paths.h"
#include "lm/cpu_threads.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const ps::cli::Argv&);
  bool runs_models = false;  // sets up the CPU thread pools for model work first
};

const Command kCommands[] = {
    {"data", "locate | check | fetch the data mirror", ps::cli::cmd_data},
    {"runs", "list | show ID | export ID --out DIR: the experiment store", ps::cli::cmd_runs},
    {"knn", "evaluate the KNN-KG predictor on a cell line", ps::cli::cmd_knn},
    {"kg", "neighbours GENE: knowledge-graph neighbourhood with evidence", ps::cli::cmd_kg},
    {"tokenize", "encode text with a tokenizer.json", ps::cli::cmd_tokenize},
    {"generate", "generate text with a Qwen3/Llama model folder", ps::cli::cmd_generate, true},
    {"sft", "teacher traces -> supervised fine-tuning -> evaluation", ps::cli::cmd_sft, true},
    {"eval", "evaluate a policy on held-out PerturbQA items", ps::cli::cmd_eval, true},
    {"traces", "list | show RUN: prompts, reasoning traces and parsed answers", ps::cli::cmd_traces},
    {"grpo", "RLCR-GRPO on an SFT policy", ps::cli::cmd_grpo, true},
    {"pipeline", "teacher traces -> SFT -> GRPO (RLCR, RLVR) -> evaluation", ps::cli::cmd_pipeline, true},
    {"sweep", "GRPO arms over a grid of knobs from one SFT start", ps::cli::cmd_sweep, true},
    {"ttc", "test-time compute (greedy, self-consistency, selective below tau) on the TTC-validation items", ps::cli::cmd_ttc, true},
    {"compare", "paired bootstrap differences of runs scored on identical items", ps::cli::cmd_compare},
    {"report", "HTML report of runs with every figure as PNG/SVG/PDF (needs the Qt build)", ps::cli::cmd_report},
    {"export-figure", "one figure of a run: reliability | curves | pareto | kg (needs the Qt build)", ps::cli::cmd_export_figure},
    {"serve", "OpenAI-compatible HTTP server over a model folder (+ adapter)", ps::cli::cmd_serve, true},
};

// The first line of a message, without trailing blanks (exception texts may append traces).
std::string first_line(const std::string& s) {
  std::string out = s.substr(0, s.find('\n'));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\r')) out.pop_back();
  return out.empty() ? std::string("(no message)") : out;
}

void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: perturbscope-cli COMMAND [options]   (COMMAND --help for its options)\n\ncommands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-13s %s\n", c.name, c.summary);
  std::fprintf(out, "\n  --version  print the version and exit\n");
}

// Flushes what was printed, then ends the process without running the libraries' finalisers (see
// the top of this file).
[[noreturn]] void finish(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

void write_stderr(const char* text) {
  for (size_t n = std::strlen(text); n > 0;) {
    const ssize_t w = ::write(2, text, n);
    if (w <= 0) return;
    text += w;
    n -= static_cast<size_t>(w);
  }
}

bool g_main_entered = false;

// std::terminate: an exception nobody caught (in a library's initialiser before main(), in a
// thread) or a thread left unjoined. One line and exit 1 instead of abort's core dump; no allocation
// on the out-of-memory path.
[[noreturn]] void on_terminate() {
  std::set_terminate(nullptr);  // a second terminate (from here) aborts instead of recursing
  const char* when = g_main_entered ? "" : " while loading its libraries";
  if (std::exception_ptr ep = std::current_exception()) {
    try {
      std::rethrow_exception(ep);
    } catch (const std::bad_alloc&) {
      write_stderr("perturbscope-cli: error: out of memory");
      write_stderr(when);
      if (!g_main_entered) write_stderr(" (libtorch needs about 800 MB of address space to load: is `ulimit -v` set too low?)");
      write_stderr("\n");
      std::_Exit(1);
    } catch (const std::exception& e) {
      write_stderr("perturbscope-cli: internal error");
      write_stderr(when);
      write_stderr(": ");
      write_stderr(first_line(e.what()).c_str());
      write_stderr("\n");
      std::_Exit(1);
    } catch (...) {
    }
  }
  write_stderr("perturbscope-cli: internal error");
  write_stderr(when);
  write_stderr(": std::terminate (an unknown exception or an unjoined thread)\n");
  std::_Exit(1);
}

// Runs before the initialisers of every shared library (.preinit_array of the executable; the C
// library is usable, libstdc++'s iostreams are not yet).
void before_libraries(int argc, char** argv, char**) {
  std::set_terminate(on_terminate);
  // Past a file-size limit (ulimit -f) a write fails with EFBIG and the command reports it (exit
  // 1, the run marked failed) instead of being killed by SIGXFSZ with no message.
  ::signal(SIGXFSZ, SIG_IGN);
  if (argc < 2) {
    print_usage(stderr);
    std::fflush(stderr);
    std::_Exit(2);
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || (name == "help" && argc < 3)) {
    print_usage(stdout);
    std::fflush(stdout);
    std::_Exit(0);
  }
  if (name == "--version") {
    std::printf("perturbscope-cli %s (%s)\n", ps::version().c_str(), ps::git_describe().c_str());
    std::fflush(stdout);
    std::_Exit(0);
  }
}

__attribute__((section(".preinit_array"), used)) void (*k_before_libraries)(int, char**, char**) = before_libraries;

int run(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string name = argv[1];
  ps::cli::Argv rest(argv + 2, argv + argc);
  if (name == "help" && argc >= 3) {  // `help CMD`: CMD's own help
    name = argv[2];
    rest = ps::cli::Argv{"--help"};
  }
  for (const auto& c : kCommands) {
    if (name != c.name) continue;
    if (c.runs_models) ps::lm::restart_with_passive_openmp_waits(argv);
    try {
      return c.run(rest);
    } catch (const ps::cli::UsageError& e) {
      std::fprintf(stderr, "perturbscope-cli: %s (see perturbscope-cli %s --help)\n", e.what(), c.name);
      return 2;
    } catch (const ps::Error& e) {
      std::fprintf(stderr, "perturbscope-cli %s: error: %s\n", c.name, e.what());
      return 1;
    } catch (const c10::Error& e) {
      // libtorch's messages carry a C++ stack trace after the first line: never show it.
      std::fprintf(stderr, "perturbscope-cli %s: error: %s\n", c.name, first_line(e.what_without_backtrace()).c_str());
      return 1;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "perturbscope-cli %s: error: out of memory\n", c.name);
      return 1;
    } catch (const std::filesystem::filesystem_error& e) {
      // A full disk, a read-only or missing folder: the OS's reason and the path, as for ps::Error.
      std::fprintf(stderr, "perturbscope-cli %s: error: %s: %s\n", c.name, e.path1().string().c_str(), e.code().message().c_str());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "perturbscope-cli %s: internal error: %s\n", c.name, first_line(e.what()).c_str());
      return 1;
    } catch (...) {
      std::fprintf(stderr, "perturbscope-cli %s: internal error (unknown exception)\n", c.name);
      return 1;
    }
  }
  std::fprintf(stderr, "perturbscope-cli: unknown command '%s'\n", name.c_str());
  print_usage(stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  g_main_entered = true;
  finish(run(argc, argv));
}
