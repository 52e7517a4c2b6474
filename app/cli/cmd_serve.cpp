// perturbscope-cli serve: an OpenAI-compatible HTTP server over a model folder (optionally
// under a PEFT LoRA adapter); see core/serve/server.h. Prints
//   perturbscope-cli serve: listening on http://HOST:PORT (model 'ID')
// on stderr once the port is bound (with --port 0, the port the kernel picked), and stops
// gracefully on SIGINT/SIGTERM (exit 0).
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/model_options.h"
#include "common/error.h"
#include "lm/allocator.h"
#include "lm/lora.h"
#include "lm/model.h"
#include "lm/stop_ids.h"
#include "lm/tokenizer/tokenizer.h"
#include "serve/server.h"

namespace fs = std::filesystem;

namespace ps::cli {

namespace {

// Self-pipe: the handler only writes one byte (async-signal-safe); a watcher thread reads it
// and stops the server outside signal context.
int g_signal_pipe[2] = {-1, -1};
std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int sig) {
  g_signal.store(sig);
  const int saved = errno;
  const char byte = 1;
  if (g_signal_pipe[1] >= 0) (void)!::write(g_signal_pipe[1], &byte, 1);
  errno = saved;
}

long bounded(const Args& args, const std::string& name, long fallback, long lo, long hi) {
  const long v = args.get_int(name, fallback);
  if (v < lo || v > hi)
    throw UsageError("serve: --" + name + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                     std::to_string(v));
  return v;
}

}  // namespace

int cmd_serve(const Argv& argv) {
  Args args("serve", argv,
            {{"model", true, "model folder: config.json + model.safetensors (required)"},
             {"adapter", true, "PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)"},
             {"tokenizer", true, "tokenizer.json or a folder holding one (default: the model folder's)"},
             {"host", true, "address to bind (default 127.0.0.1: this machine only)"},
             {"port", true, "TCP port; 0 picks a free one (default 8000)"},
             {"served-model-name", true, "the model id clients send (default: the model folder's name)"},
             {"max-batch", true, "rows per generate() call, and per request (default 8)"},
             {"batch-window-ms", true, "how long a request waits for others to batch with, ms (default 5)"},
             {"max-request-bytes", true, "larger request bodies get HTTP 413 (default 8388608)"},
             {"http-threads", true, "connection threads (default 16)"},
             {"device", true, "cpu or cuda[:N] (default cpu)"},
             {"dtype", true, "float32, bfloat16 or float16 (cuda only; default float32 on cpu, bfloat16 on cuda)"},
             {"quiet", false, "no log line per request and batch"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli serve --model DIR [--adapter DIR] [--tokenizer PATH] [--host 127.0.0.1] "
                "[--port N] [--max-batch 8] [--max-request-bytes N]\n"
                "OpenAI-compatible endpoints: GET /v1/models, POST /v1/chat/completions, POST /v1/completions\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("serve: unexpected argument '" + args.positionals()[0] + "'");
  if (!args.has("model")) throw UsageError("serve: --model is required");
  const std::string model_dir = args.get("model");

  serve::ServeConfig config;
  config.host = args.get("host", "127.0.0.1");
  config.port = static_cast<int>(bounded(args, "port", 8000, 0, 65535));
  config.max_batch = bounded(args, "max-batch", 8, 1, 4096);
  config.batch_window_ms = args.get_double("batch-window-ms", 5);
  if (!(config.batch_window_ms >= 0 && config.batch_window_ms <= 10000))
    throw UsageError("serve: --batch-window-ms must be in [0, 10000]");
  config.max_request_bytes = static_cast<size_t>(bounded(args, "max-request-bytes", 8L << 20, 1024, 1L << 30));
  config.http_threads = static_cast<int>(bounded(args, "http-threads", 16, 1, 1024));
  config.log_requests = !args.has("quiet");
  std::string name = fs::path(model_dir).lexically_normal().filename().string();
  if (name.empty() || name == ".") name = fs::absolute(model_dir).lexically_normal().parent_path().filename().string();
  config.model_id = args.get("served-model-name", name.empty() ? "model" : name);
  config.validate();

  const at::Device device = parse_device("serve", args.get("device", "cpu"));
  const at::ScalarType dtype = parse_dtype("serve", args.get("dtype", device.is_cuda() ? "bfloat16" : "float32"), device);

  std::optional<tokenizer::Tokenizer> tok;
  if (args.has("tokenizer")) tok = tokenizer::Tokenizer::from_file(args.get("tokenizer"));
  else if (fs::exists(fs::path(model_dir) / "tokenizer.json")) tok = tokenizer::Tokenizer::from_file(model_dir);
  else throw UsageError("serve: the model folder has no tokenizer.json; pass --tokenizer");

  lm::keep_freed_memory_for_reuse();
  lm::Model model = lm::Model::load(model_dir, device, dtype);
  if (args.has("adapter")) model.attach_adapter(lm::LoraAdapter::load(args.get("adapter"), model.config(), device, dtype));
  const std::vector<int64_t> stop_ids = lm::default_stop_ids(model_dir, model.config());

  serve::Server server(model, *tok, stop_ids, config);
  const int port = server.bind();

  if (::pipe(g_signal_pipe) != 0) throw Error("serve: cannot create the signal pipe");
  ::fcntl(g_signal_pipe[1], F_SETFL, O_NONBLOCK);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server
  std::thread watcher([&server] {
    char byte = 0;
    while (true) {
      const ssize_t n = ::read(g_signal_pipe[0], &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    if (g_signal.load() != 0) std::fprintf(stderr, "perturbscope-cli serve: signal %d, stopping\n", g_signal.load());
    server.stop();
  });

  std::fprintf(stderr, "perturbscope-cli serve: listening on http://%s:%d (model '%s', %s, %s%s, max batch %lld)\n",
               config.host.c_str(), port, config.model_id.c_str(), device.str().c_str(), dtype_name(dtype),
               model.adapter() ? ", with adapter" : "", static_cast<long long>(config.max_batch));
  if (config.host != "127.0.0.1" && config.host != "localhost" && config.host != "::1")
    std::fprintf(stderr, "perturbscope-cli serve: warning: bound to %s, not loopback; this server has no "
                         "authentication: anyone who can reach the port can use it\n", config.host.c_str());
  std::fflush(stderr);
  server.run();

  // run() also returns when listening failed; wake the watcher if no signal did.
  const char byte = 0;
  (void)!::write(g_signal_pipe[1], &byte, 1);
  watcher.join();
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::close(g_signal_pipe[0]);
  ::close(g_signal_pipe[1]);
  g_signal_pipe[0] = g_signal_pipe[1] = -1;
  std::fprintf(stderr, "perturbscope-cli serve: stopped\n");
  return 0;
}

}  // namespace ps::cli
