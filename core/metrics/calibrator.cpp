#include "metrics/calibrator.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "common/error.h"

namespace ps::metrics {

Calibrator::Method Calibrator::method_from_string(const std::string& name) {
  if (name == "isotonic") return Method::Isotonic;
  if (name == "platt") return Method::Platt;
  if (name == "none" || name == "identity") return Method::Identity;
  throw ps::Error("unknown calibration '" + name + "' (expected isotonic, platt or none)");
}

std::string Calibrator::to_string(Method m) {
  return m == Method::Isotonic ? "isotonic" : m == Method::Platt ? "platt" : "none";
}

Calibrator Calibrator::fit(const std::vector<double>& scores, const std::vector<int>& labels, Method method) {
  if (scores.size() != labels.size()) throw ps::Error("calibrator: scores and labels differ in length");
  Calibrator c;
  c.method_ = method;
  if (method == Method::Identity) return c;
  if (scores.empty()) throw ps::Error("calibrator: no items to fit on");
  if (method == Method::Isotonic) {
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
    // Pool-adjacent-violators; tied scores start in one block.
    std::vector<Block> st;
    for (size_t i = 0; i < order.size();) {
      const double x = scores[order[i]];
      double sum = 0, w = 0;
      while (i < order.size() && scores[order[i]] == x) sum += labels[order[i]], w += 1, ++i;
      Block b{x, x, sum / w, w};
      while (!st.empty() && st.back().y >= b.y) {
        const Block& top = st.back();
        b = {top.x_lo, b.x_hi, (top.y * top.weight + b.y * b.weight) / (top.weight + b.weight), top.weight + b.weight};
        st.pop_back();
      }
      st.push_back(b);
    }
    c.blocks_ = std::move(st);
    return c;
  }
  // Platt: minimise sum log-loss of sigmoid(a s + b) by Newton's method (2x2 Hessian).
  double a = 0, b = 0;
  {
    double pos = 0;
    for (int y : labels) pos += y;
    const double rate = std::clamp(pos / labels.size(), 1e-6, 1 - 1e-6);
    b = std::log(rate / (1 - rate));
  }
  for (int iter = 0; iter < 100; ++iter) {
    double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
      const double p = 1 / (1 + std::exp(-(a * scores[i] + b)));
      const double d = p - labels[i], w = p * (1 - p);
      ga += d * scores[i], gb += d;
      haa += w * scores[i] * scores[i], hab += w * scores[i], hbb += w;
    }
    haa += 1e-9, hbb += 1e-9;  // keeps the step finite on separable data
    const double det = haa * hbb - hab * hab;
    if (std::fabs(det) < 1e-300) break;
    const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a -= da, b -= db;
    if (std::fabs(da) < 1e-10 && std::fabs(db) < 1e-10) break;
  }
  c.a_ = a, c.b_ = b;
  return c;
}

double Calibrator::operator()(double s) const {
  switch (method_) {
    case Method::Identity: return std::clamp(s, 0.0, 1.0);
    case Method::Platt: return 1 / (1 + std::exp(-(a_ * s + b_)));
    case Method::Isotonic: {
      if (blocks_.empty()) return std::clamp(s, 0.0, 1.0);
      if (s <= blocks_.front().x_hi) return blocks_.front().y;
      if (s >= blocks_.back().x_lo) return blocks_.back().y;
      // First block whose upper end is >= s.
      auto it = std::lower_bound(blocks_.begin(), blocks_.end(), s,
                                 [](const Block& b, double v) { return b.x_hi < v; });
      if (s >= it->x_lo) return it->y;  // inside a block
      const Block& lo = *(it - 1);     // between two blocks: interpolate
      return lo.y + (it->y - lo.y) * (s - lo.x_hi) / (it->x_lo - lo.x_hi);
    }
  }
  return s;
}

std::vector<double> Calibrator::apply(const std::vector<double>& scores) const {
  std::vector<double> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out[i] = (*this)(scores[i]);
  return out;
}

std::string Calibrator::to_json() const {
  nlohmann::json j;
  j["method"] = to_string(method_);
  if (method_ == Method::Platt) j["a"] = a_, j["b"] = b_;
  if (method_ == Method::Isotonic) {
    auto arr = nlohmann::json::array();
    for (const auto& b : blocks_) arr.push_back({b.x_lo, b.x_hi, b.y});
    j["blocks"] = arr;
  }
  return j.dump();
}

}  // namespace ps::metrics
