// The CLI's commands. Each lives in its own cmd_<name>.cpp, receives the arguments
// after its name, and returns the process exit code. Bad input throws ps::Error
// (exit 1) or ps::cli::UsageError (exit 2); main() prints the message.
#pragma once
#include <string>
#include <vector>

namespace ps::cli {

using Argv = std::vector<std::string>;

int cmd_data(const Argv& args);      // data locate | check | fetch
int cmd_runs(const Argv& args);      // runs list | show ID | export ID --out DIR
int cmd_knn(const Argv& args);       // KNN-KG evaluation on a cell line
int cmd_kg(const Argv& args);        // kg neighbours GENE
int cmd_tokenize(const Argv& args);  // tokenize --tokenizer DIR --text TEXT
int cmd_generate(const Argv& args);  // generate --model DIR --prompt-ids ... | --prompt TEXT
int cmd_sft(const Argv& args);       // sft --config FILE | --resume RUN
int cmd_eval(const Argv& args);      // eval --model DIR --cell-line C --split S
int cmd_traces(const Argv& args);    // traces list | show RUN
int cmd_grpo(const Argv& args);      // grpo --config FILE | --resume RUN
int cmd_pipeline(const Argv& args);  // pipeline --config FILE: SFT -> GRPO arms -> evaluation
int cmd_sweep(const Argv& args);     // sweep --config FILE --grid SPEC
int cmd_ttc(const Argv& args);       // ttc --run ID | --model DIR: test-time compute strategies on ttc_val
int cmd_compare(const Argv& args);   // compare RUN RUN [RUN...]: paired bootstrap differences on identical items
int cmd_serve(const Argv& args);     // serve --model DIR [--adapter DIR] --port N: OpenAI-compatible HTTP

}  // namespace ps::cli
