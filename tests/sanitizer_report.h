// A sanitizer report in a child process of a test (the CLI run by the test) fails that test,
// whatever exit code the test expects. scripts/sanitize.sh runs the sanitizer build with
// ASAN_OPTIONS/UBSAN_OPTIONS exitcode=23, a code the CLI never uses (0 done, 1 error, 2 usage
// error), so a report is told apart from the CLI's ordinary "exit 1" even where the test cannot
// see the child's stderr; where it can, the reports' own first lines are looked for too.
#pragma once
#include <gtest/gtest.h>

#include <string>

namespace ps::test {

constexpr int kSanitizerExitCode = 23;  // keep equal to exitcode= in scripts/sanitize.sh

inline void expect_no_sanitizer_report(int exit_code, const std::string& output, const std::string& what = "the CLI") {
  EXPECT_NE(exit_code, kSanitizerExitCode) << what << " exited with the sanitizers' exit code " << kSanitizerExitCode
                                           << " (an ASan/UBSan report):\n" << output;
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "SUMMARY: UndefinedBehaviorSanitizer",
                             ": runtime error: "})
    EXPECT_EQ(output.find(marker), std::string::npos) << what << " printed a sanitizer report ('" << marker << "'):\n"
                                                      << output;
}

}  // namespace ps::test
