// Maps ranking scores to probabilities of the positive class, fitted on a validation set,
// so that predictors of different kinds (KNN scores, LLM confidences) are comparable.
//   isotonic: the monotone step function minimising squared error (pool-adjacent-violators),
//             linearly interpolated between fitted blocks and clipped outside them
//             (as sklearn's IsotonicRegression(out_of_bounds="clip"));
//   platt:    p = 1 / (1 + exp(-(a s + b))), a and b by Newton's method on the log loss;
//   identity: p = clamp(s, 0, 1).
#pragma once
#include <string>
#include <vector>

namespace ps::metrics {

class Calibrator {
 public:
  enum class Method { Identity, Isotonic, Platt };
  static Method method_from_string(const std::string& name);  // "isotonic" | "platt" | "none"; throws ps::Error
  static std::string to_string(Method m);

  Calibrator() = default;  // identity
  static Calibrator fit(const std::vector<double>& scores, const std::vector<int>& labels, Method method);

  double operator()(double score) const;
  std::vector<double> apply(const std::vector<double>& scores) const;
  Method method() const { return method_; }
  std::string to_json() const;  // the fitted parameters / steps

  // Isotonic blocks: scores in [x_lo, x_hi] map to y (ascending in x and y).
  struct Block { double x_lo, x_hi, y, weight; };
  const std::vector<Block>& blocks() const { return blocks_; }
  double platt_a() const { return a_; }
  double platt_b() const { return b_; }

 private:
  Method method_ = Method::Identity;
  std::vector<Block> blocks_;
  double a_ = 1, b_ = 0;
};

}  // namespace ps::metrics
