// 8-lane (and a 16-lane) float helpers for PerturbScope's own CPU kernels (skinny_matmul, decode_attention).
// They are compiled for AVX2+FMA with a function attribute, not -march: the binary still
// runs on any x86-64, and callers check cpu_has_avx2_fma() / cpu_has_avx512f() before taking
// these paths.
#pragma once
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#define PS_SIMD_X86 1
#define PS_AVX2 __attribute__((target("avx2,fma")))
#define PS_AVX512 __attribute__((target("avx512f,fma")))

namespace ps::lm::simd {

inline bool cpu_has_avx2_fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
inline bool cpu_has_avx512f() { return cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f"); }

PS_AVX2 inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));  // 8 -> 4 lanes
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));                                         // 4 -> 2
  s = _mm_add_ss(s, _mm_movehdup_ps(s));                                          // 2 -> 1
  return _mm_cvtss_f32(s);
}

// Σ_i a[i]·b[i]
PS_AVX2 inline float dot(const float* a, const float* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();  // two chains hide FMA latency
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  float s = horizontal_sum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

// y[i] += alpha · x[i]
PS_AVX2 inline void axpy(float alpha, const float* x, float* y, int64_t n) {
  const __m256 a = _mm256_set1_ps(alpha);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += alpha * x[i];
}

}  // namespace ps::lm::simd

#else
namespace ps::lm::simd {
inline bool cpu_has_avx2_fma() { return false; }
inline bool cpu_has_avx512f() { return false; }
}  // namespace ps::lm::simd
#endif
