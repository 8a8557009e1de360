// anderson.hpp: Anderson extrapolation of coordinate-descent iterates.
//
// Keeps the last K+1 iterates x_0..x_K of the working-set coefficients. With the
// differences U = [x_1 - x_0, ..., x_K - x_{K-1}] (m x K), solves (U^T U + eps I) z = 1,
// c = z / sum(z), and proposes x_acc = sum_k c_k x_k (k = 1..K), except that a
// coordinate the window left unchanged keeps its value exactly. The caller accepts the
// proposal only if it lowers the objective, so extrapolation never slows convergence.
// The weights and ring slots of the proposal are exposed (weights, slot) so that a caller
// keeping a state per iterate (cd.hpp: the residual, affine in x) can combine the states
// with the same weights instead of recomputing the state of x_acc.
// Reference: Bertrand & Massias (2021), "Anderson acceleration of coordinate descent",
// AISTATS, Algorithm 1 (offline variant, K = 5).
#pragma once

#include <cmath>
#include <vector>

#include "fastenet/config.hpp"

namespace fastenet {

class Anderson {
 public:
  explicit Anderson(Index K = 5) : K_(K) {}

  /// Starts over on a working set of size m.
  void reset(Index m) {
    m_ = m;
    count_ = 0;
    hist_.assign((K_ + 1) * m, 0.0);
  }

  /// Ring slot (0..K) that the next push() writes.
  Index next_slot() const { return count_ % (K_ + 1); }
  /// After a successful extrapolate(): the proposal is sum_{k < K} weights()[k] times the
  /// iterate pushed into slot(k) (up to rounding: see extrapolate()); slot(K - 1) holds the
  /// latest iterate.
  Index terms() const { return K_; }
  const double* weights() const { return c_.data(); }
  Index slot(Index k) const { return (count_ - K_ + k) % (K_ + 1); }

  /// Records x (m,). Returns true when K+1 iterates are stored and a proposal is due.
  bool push(const double* x) {
    double* slot = hist_.data() + next_slot() * m_;
    for (Index i = 0; i < m_; ++i) slot[i] = x[i];
    ++count_;
    return count_ >= K_ + 1 && count_ % K_ == 1;
  }

  /// Writes the extrapolated point into out (m,). Returns false if the system is singular.
  bool extrapolate(double* out) {
    const Index K = K_;
    std::vector<double> U(K * m_), A(K * K), z(K, 1.0);
    for (Index k = 0; k < K; ++k) {
      const double* a = iterate(k + 1);
      const double* b = iterate(k);
      for (Index i = 0; i < m_; ++i) U[k * m_ + i] = a[i] - b[i];
    }
    double trace = 0;
    for (Index k = 0; k < K; ++k)
      for (Index l = 0; l <= k; ++l) {
        double s = 0;
        for (Index i = 0; i < m_; ++i) s += U[k * m_ + i] * U[l * m_ + i];
        A[k * K + l] = A[l * K + k] = s;
        if (k == l) trace += s;
      }
    if (!(trace > 0)) return false;
    // Regularized so a rank-deficient history still gives a usable solve.
    for (Index k = 0; k < K; ++k) A[k * K + k] += 1e-10 * trace;
    if (!cholesky_solve(A, z, K)) return false;
    double zs = 0;
    for (double v : z) zs += v;
    if (!(std::fabs(zs) > 0) || !std::isfinite(zs)) return false;
    for (Index i = 0; i < m_; ++i) out[i] = 0;
    c_.resize(K);
    for (Index k = 0; k < K; ++k) {
      const double c = c_[k] = z[k] / zs;
      const double* x = iterate(k + 1);
      for (Index i = 0; i < m_; ++i) out[i] += c * x[i];
    }
    // A coordinate the window left where it was stays there exactly: the weights sum to
    // 1 only up to rounding, which they multiply (1e3-1e4 near convergence), and a
    // coefficient held at a bound came back up to 1e-12 inside it (a toeplitz fit with
    // boxes whose last check followed an extrapolation; at 0 the sum is exact anyway).
    const double* last = iterate(K);
    for (Index i = 0; i < m_; ++i) {
      bool still = true;
      for (Index k = 0; k < K && still; ++k) still = U[k * m_ + i] == 0;
      if (still) out[i] = last[i];
    }
    return true;
  }

 private:
  // k-th oldest of the last K+1 iterates, k = 0..K.
  const double* iterate(Index k) const {
    const Index first = count_ - (K_ + 1);
    return hist_.data() + ((first + k) % (K_ + 1)) * m_;
  }

  static bool cholesky_solve(std::vector<double>& A, std::vector<double>& b, Index K) {
    for (Index j = 0; j < K; ++j) {
      double d = A[j * K + j];
      for (Index k = 0; k < j; ++k) d -= A[j * K + k] * A[j * K + k];
      if (!(d > 0)) return false;
      d = std::sqrt(d);
      A[j * K + j] = d;
      for (Index i = j + 1; i < K; ++i) {
        double s = A[i * K + j];
        for (Index k = 0; k < j; ++k) s -= A[i * K + k] * A[j * K + k];
        A[i * K + j] = s / d;
      }
    }
    for (Index i = 0; i < K; ++i) {  // L y = b
      double s = b[i];
      for (Index k = 0; k < i; ++k) s -= A[i * K + k] * b[k];
      b[i] = s / A[i * K + i];
    }
    for (Index i = K - 1; i >= 0; --i) {  // L^T x = y
      double s = b[i];
      for (Index k = i + 1; k < K; ++k) s -= A[k * K + i] * b[k];
      b[i] = s / A[i * K + i];
    }
    return true;
  }

  Index K_, m_ = 0, count_ = 0;
  std::vector<double> hist_, c_;
};

/// Copies of a solver state that is affine in the iterate (the residual, the gradient),
/// one per Anderson slot: the state of a proposal is then the same combination of the
/// saved states, O(size) where recomputing it costs a column per moved coefficient.
/// `on` (may be null) restricts every operation to the listed entries.
template <class T>
class StateHistory {
 public:
  void reserve(Index slots, Index size) {
    size_ = size;
    data_.resize(slots * size);
  }
  void save(Index slot, const T* x, const std::vector<Index>* on) {
    T* h = data_.data() + slot * size_;
    each(on, [&](Index i) { h[i] = x[i]; });
  }
  void load(Index slot, T* x, const std::vector<Index>* on) const {
    const T* h = data_.data() + slot * size_;
    each(on, [&](Index i) { x[i] = h[i]; });
  }
  /// x = sum_t c[t] * state(slots[t]), t < k, summed in double.
  void blend(const double* c, const Index* slots, Index k, T* x,
             const std::vector<Index>* on) const {
    const T* h = data_.data();
    each(on, [&](Index i) {
      double v = 0;
      for (Index t = 0; t < k; ++t) v += c[t] * double(h[slots[t] * size_ + i]);
      x[i] = T(v);
    });
  }

 private:
  template <class F>
  void each(const std::vector<Index>* on, F f) const {
    if (on) {
      for (Index i : *on) f(i);
    } else {
      for (Index i = 0; i < size_; ++i) f(i);
    }
  }

  Index size_ = 0;
  std::vector<T> data_;
};

}  // namespace fastenet
