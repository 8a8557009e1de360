# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# distutils: language = c++
"""The binding: typed memoryviews in, the whole solve under ``nogil``, a tuple out.

Nothing here validates or copies: ``_validation.py`` and ``_kernel.py`` hand over arrays
of the right dtype, order and length. Fused types pick the C++ overload (api.hpp).
"""
from libc.stdint cimport int32_t, int64_t, uint64_t
from libcpp.vector cimport vector
import numpy as np
from cpython.exc cimport PyErr_Clear

cdef extern from "Python.h":
    # Declared here without an exception value: the hook reads the return code itself
    # (cpython.exc's declaration would make Cython propagate, and a noexcept hook can't).
    int check_signals "PyErr_CheckSignals" ()

ctypedef fused floating:
    float
    double

ctypedef fused index_t:
    int32_t
    int64_t


cdef extern from "fastenet/api.hpp" namespace "fastenet" nogil:
    ctypedef Py_ssize_t Index
    ctypedef int (*InterruptHook)(void*) noexcept nogil

    cdef enum class Status(int):
        converged
        max_iter
        interrupted

    cdef enum class UpdateScheme(int):
        naive
        covariance
        automatic

    cdef cppclass Penalty:
        double l1, l2
        const double* pf
        const double* lo
        const double* hi
        Index p

    cdef cppclass SolveParams:
        double tol
        Index max_iter
        bint random
        uint64_t seed
        bint screening
        bint working_set
        bint anderson
        bint newton
        bint gradient_bounds
        bint set_gram
        bint float_steps
        bint early_checks
        Index ws_min
        InterruptHook interrupt
        void* interrupt_ctx

    cdef cppclass SolveResult:
        double gap
        double tol_abs
        Index n_iter
        Index n_outer
        Index n_grad
        Index n_gram_sets
        Status status

    cdef cppclass SampleData[T]:
        const T* y
        double y_offset
        const T* sw
        const double* x_mean
        double W
        double* means_out

    cdef cppclass LabelData[T]:
        const int32_t* label
        Index n_classes
        const T* sw
        bint intercept

    cdef cppclass Grid:
        const double* l1
        const double* l2
        Index size

    cdef cppclass PathOutput:
        double* coefs
        SolveResult* results

    # Overloads spelled out: Cython cannot mangle fused types inside a namespace.
    Index enet_path_dense(const float* X, Index n, Index p, Index ld,
                          const SampleData[float]& sd, const Penalty& pen,
                          UpdateScheme scheme, const Grid& grid, const SolveParams& prm,
                          double* w, const PathOutput& out) except +
    Index enet_path_dense(const double* X, Index n, Index p, Index ld,
                          const SampleData[double]& sd, const Penalty& pen,
                          UpdateScheme scheme, const Grid& grid, const SolveParams& prm,
                          double* w, const PathOutput& out) except +
    Index enet_path_csc(const float* data, const int32_t* indices, const int32_t* indptr,
                        Index n, Index p, const SampleData[float]& sd, const Penalty& pen,
                        UpdateScheme scheme, const Grid& grid, const SolveParams& prm,
                        double* w, const PathOutput& out) except +
    Index enet_path_csc(const float* data, const int64_t* indices, const int64_t* indptr,
                        Index n, Index p, const SampleData[float]& sd, const Penalty& pen,
                        UpdateScheme scheme, const Grid& grid, const SolveParams& prm,
                        double* w, const PathOutput& out) except +
    Index enet_path_csc(const double* data, const int32_t* indices, const int32_t* indptr,
                        Index n, Index p, const SampleData[double]& sd, const Penalty& pen,
                        UpdateScheme scheme, const Grid& grid, const SolveParams& prm,
                        double* w, const PathOutput& out) except +
    Index enet_path_csc(const double* data, const int64_t* indices, const int64_t* indptr,
                        Index n, Index p, const SampleData[double]& sd, const Penalty& pen,
                        UpdateScheme scheme, const Grid& grid, const SolveParams& prm,
                        double* w, const PathOutput& out) except +
    Index enet_path_gram(const float* G, Index p, Index ld, const double* xy, double yy,
                         const Penalty& pen, const Grid& grid, const SolveParams& prm,
                         double* w, const PathOutput& out) except +
    Index enet_path_gram(const double* G, Index p, Index ld, const double* xy, double yy,
                         const Penalty& pen, const Grid& grid, const SolveParams& prm,
                         double* w, const PathOutput& out) except +

    Index logistic_path_dense(const float* X, Index n, Index p, Index ld,
                              const LabelData[float]& lab, const Penalty& pen,
                              const Grid& grid, const SolveParams& prm, double* coef,
                              const PathOutput& out) except +
    Index logistic_path_dense(const double* X, Index n, Index p, Index ld,
                              const LabelData[double]& lab, const Penalty& pen,
                              const Grid& grid, const SolveParams& prm, double* coef,
                              const PathOutput& out) except +
    Index logistic_path_csc(const float* data, const int32_t* indices, const int32_t* indptr,
                            Index n, Index p, const LabelData[float]& lab, const Penalty& pen,
                            const Grid& grid, const SolveParams& prm, double* coef,
                            const PathOutput& out) except +
    Index logistic_path_csc(const float* data, const int64_t* indices, const int64_t* indptr,
                            Index n, Index p, const LabelData[float]& lab, const Penalty& pen,
                            const Grid& grid, const SolveParams& prm, double* coef,
                            const PathOutput& out) except +
    Index logistic_path_csc(const double* data, const int32_t* indices,
                            const int32_t* indptr, Index n, Index p,
                            const LabelData[double]& lab, const Penalty& pen,
                            const Grid& grid, const SolveParams& prm, double* coef,
                            const PathOutput& out) except +
    Index logistic_path_csc(const double* data, const int64_t* indices,
                            const int64_t* indptr, Index n, Index p,
                            const LabelData[double]& lab, const Penalty& pen,
                            const Grid& grid, const SolveParams& prm, double* coef,
                            const PathOutput& out) except +


cdef int _interrupted(void* ctx) noexcept nogil:
    # Called by the kernel's outer loop: a set cancel flag (ctx: SolveOptions.cancel, set
    # by the thread that caught Ctrl-C while this solve ran in a worker thread), or
    # Python's signal handlers (Ctrl-C, in the main thread).
    if ctx != NULL and (<volatile signed char*>ctx)[0] != 0:
        return 1
    with gil:
        if check_signals() != 0:
            PyErr_Clear()
            return 1
    return 0


cdef inline const double* _ptr_or_null(const double[::1] a) noexcept nogil:
    return &a[0] if a is not None and a.shape[0] > 0 else NULL


cdef Penalty _penalty(const double[::1] pf, const double[::1] lo, const double[::1] hi,
                      Index p) noexcept:
    # l1, l2 come from the path's grid
    cdef Penalty pen
    pen.pf = _ptr_or_null(pf)
    pen.lo = _ptr_or_null(lo)
    pen.hi = _ptr_or_null(hi)
    pen.p = p
    return pen


cdef SolveParams _params(object opts) except *:
    # opts: fastenet._kernel.SolveOptions (attributes read by name)
    cdef SolveParams prm
    cdef signed char[::1] cancel
    prm.tol = opts.tol
    prm.max_iter = opts.max_iter
    prm.random = opts.random
    prm.seed = opts.seed
    prm.screening = opts.screening
    prm.working_set = opts.working_set
    prm.anderson = opts.anderson
    prm.newton = opts.newton
    prm.gradient_bounds = opts.gradient_bounds
    prm.set_gram = opts.set_gram
    prm.float_steps = opts.float_steps
    prm.early_checks = opts.early_checks
    prm.ws_min = opts.ws_min
    prm.interrupt = _interrupted
    prm.interrupt_ctx = NULL
    if opts.cancel is not None:
        cancel = opts.cancel  # the caller keeps the array alive for the whole solve
        prm.interrupt_ctx = &cancel[0]
    return prm


cdef class _Path:
    """The grid going in and the results coming out of one path call."""
    cdef vector[SolveResult] results
    cdef Grid grid
    cdef PathOutput out

    def __cinit__(self, const double[::1] l1s, const double[::1] l2s,
                  double[::1, :] coefs):
        # coefs: (p, K) Fortran-ordered float64, column k receives solution k
        cdef Index K = l1s.shape[0]
        self.results.resize(K)
        self.grid.l1 = &l1s[0] if K > 0 else NULL
        self.grid.l2 = &l2s[0] if K > 0 else NULL
        self.grid.size = K
        self.out.coefs = &coefs[0, 0] if coefs.shape[0] > 0 and K > 0 else NULL
        self.out.results = self.results.data()

    cdef tuple collect(self, Index solved):
        cdef Index k, K = self.grid.size
        cdef SolveResult* r = self.results.data()
        for k in range(solved):
            if r[k].status == Status.interrupted:
                raise KeyboardInterrupt
        gap = np.array([r[k].gap for k in range(K)], dtype=np.float64)
        tol_abs = np.array([r[k].tol_abs for k in range(K)], dtype=np.float64)
        n_iter = np.array([r[k].n_iter for k in range(K)], dtype=np.intp)
        n_outer = np.array([r[k].n_outer for k in range(K)], dtype=np.intp)
        n_grad = np.array([r[k].n_grad for k in range(K)], dtype=np.intp)
        n_gram_sets = np.array([r[k].n_gram_sets for k in range(K)], dtype=np.intp)
        converged = np.array([r[k].status == Status.converged for k in range(K)], dtype=bool)
        return gap, tol_abs, n_iter, n_outer, n_grad, n_gram_sets, converged


cdef SampleData[floating] _samples(const floating[::1] y, double y_offset,
                                   const floating[::1] sw, const double[::1] x_mean,
                                   double W, double[::1] means_out) noexcept:
    cdef SampleData[floating] sd
    sd.y = &y[0] if y.shape[0] > 0 else NULL
    sd.y_offset = y_offset
    sd.sw = &sw[0] if sw is not None and sw.shape[0] > 0 else NULL
    sd.x_mean = &x_mean[0] if x_mean is not None and x_mean.shape[0] > 0 else NULL
    sd.W = W
    sd.means_out = &means_out[0] if means_out is not None and means_out.shape[0] > 0 else NULL
    return sd


# Each path_* solves problems k = 0..K-1 (kernel-scale strengths l1s[k], l2s[k]) with warm
# starts from w, writes solution k to coefs[:, k] (coefs: (p, K) Fortran float64) and
# returns (gap, tol_abs, n_iter, n_outer, n_grad, n_gram_sets, converged), arrays of
# length K.

def path_dense(const floating[::1, :] X, const floating[::1] y, double y_offset,
               const floating[::1] sw, const double[::1] x_mean, double W,
               double[::1] means_out,
               const double[::1] l1s, const double[::1] l2s, const double[::1] pf,
               const double[::1] lo, const double[::1] hi, object opts, int scheme,
               double[::1] w, double[::1, :] coefs):
    """Path on a Fortran-ordered dense X."""
    cdef Index n = X.shape[0], p = X.shape[1], solved
    cdef SampleData[floating] sd = _samples(y, y_offset, sw, x_mean, W, means_out)
    cdef Penalty pen = _penalty(pf, lo, hi, p)
    cdef SolveParams prm = _params(opts)
    cdef _Path path = _Path(l1s, l2s, coefs)
    cdef const floating* Xp = &X[0, 0] if n > 0 and p > 0 else NULL
    with nogil:
        solved = enet_path_dense(Xp, n, p, n, sd, pen, <UpdateScheme>scheme, path.grid,
                                 prm, &w[0], path.out)
    return path.collect(solved)


def path_csc(const floating[::1] data, const index_t[::1] indices,
             const index_t[::1] indptr, Py_ssize_t n, const floating[::1] y,
             double y_offset, const floating[::1] sw, const double[::1] x_mean,
             double W, double[::1] means_out, const double[::1] l1s, const double[::1] l2s,
             const double[::1] pf, const double[::1] lo, const double[::1] hi,
             object opts, int scheme, double[::1] w, double[::1, :] coefs):
    """Path on a CSC X (sorted indices, no duplicates)."""
    cdef Index p = indptr.shape[0] - 1, solved
    cdef SampleData[floating] sd = _samples(y, y_offset, sw, x_mean, W, means_out)
    cdef Penalty pen = _penalty(pf, lo, hi, p)
    cdef SolveParams prm = _params(opts)
    cdef _Path path = _Path(l1s, l2s, coefs)
    cdef const floating* dp = &data[0] if data.shape[0] > 0 else NULL
    cdef const index_t* ip = &indices[0] if indices.shape[0] > 0 else NULL
    with nogil:
        solved = enet_path_csc(dp, ip, &indptr[0], n, p, sd, pen, <UpdateScheme>scheme,
                               path.grid, prm, &w[0], path.out)
    return path.collect(solved)


def path_gram(const floating[:, ::1] G, const double[::1] xy, double yy,
              const double[::1] l1s, const double[::1] l2s, const double[::1] pf,
              const double[::1] lo, const double[::1] hi, object opts, double[::1] w,
              double[::1, :] coefs):
    """Path from a Gram matrix (symmetric; C order = F order)."""
    cdef Index p = G.shape[0], solved
    cdef Penalty pen = _penalty(pf, lo, hi, p)
    cdef SolveParams prm = _params(opts)
    cdef _Path path = _Path(l1s, l2s, coefs)
    with nogil:
        solved = enet_path_gram(&G[0, 0], p, p, &xy[0], yy, pen, path.grid, prm, &w[0],
                                path.out)
    return path.collect(solved)


cdef LabelData[floating] _labels(const int32_t[::1] label, Py_ssize_t n_classes,
                                 const floating[::1] sw, bint intercept) noexcept:
    cdef LabelData[floating] lab
    lab.label = &label[0] if label.shape[0] > 0 else NULL
    lab.n_classes = n_classes
    lab.sw = &sw[0] if sw is not None and sw.shape[0] > 0 else NULL
    lab.intercept = intercept
    return lab


# The logistic_* paths: labels in [0, n_classes), raw weights sw; coef holds B blocks of
# p coefficients and an intercept (B = 1 for two classes, else n_classes), a warm start
# in and the last solution out; coefs is (B (p + 1), K) Fortran float64.

def logistic_dense(const floating[::1, :] X, const int32_t[::1] label, Py_ssize_t n_classes,
                   const floating[::1] sw, bint intercept, const double[::1] l1s,
                   const double[::1] l2s, const double[::1] pf, const double[::1] lo,
                   const double[::1] hi, object opts, double[::1] coef,
                   double[::1, :] coefs):
    """Logistic path on a Fortran-ordered dense X."""
    cdef Index n = X.shape[0], p = X.shape[1], solved
    cdef LabelData[floating] lab = _labels(label, n_classes, sw, intercept)
    cdef Penalty pen = _penalty(pf, lo, hi, p)
    cdef SolveParams prm = _params(opts)
    cdef _Path path = _Path(l1s, l2s, coefs)
    cdef const floating* Xp = &X[0, 0] if n > 0 and p > 0 else NULL
    with nogil:
        solved = logistic_path_dense(Xp, n, p, n, lab, pen, path.grid, prm, &coef[0],
                                     path.out)
    return path.collect(solved)


def logistic_csc(const floating[::1] data, const index_t[::1] indices,
                 const index_t[::1] indptr, Py_ssize_t n, const int32_t[::1] label,
                 Py_ssize_t n_classes, const floating[::1] sw, bint intercept,
                 const double[::1] l1s, const double[::1] l2s, const double[::1] pf,
                 const double[::1] lo, const double[::1] hi, object opts,
                 double[::1] coef, double[::1, :] coefs):
    """Logistic path on a CSC X (sorted indices, no duplicates)."""
    cdef Index p = indptr.shape[0] - 1, solved
    cdef LabelData[floating] lab = _labels(label, n_classes, sw, intercept)
    cdef Penalty pen = _penalty(pf, lo, hi, p)
    cdef SolveParams prm = _params(opts)
    cdef _Path path = _Path(l1s, l2s, coefs)
    cdef const floating* dp = &data[0] if data.shape[0] > 0 else NULL
    cdef const index_t* ip = &indices[0] if indices.shape[0] > 0 else NULL
    with nogil:
        solved = logistic_path_csc(dp, ip, &indptr[0], n, p, lab, pen, path.grid, prm,
                                   &coef[0], path.out)
    return path.collect(solved)


cdef extern from "fastenet/vmath.hpp" namespace "fastenet::vmath" nogil:
    double vmath_exp "fastenet::vmath::exp"(double)
    double vmath_expm1 "fastenet::vmath::expm1"(double)
    double vmath_log1p "fastenet::vmath::log1p"(double)
    double vmath_log "fastenet::vmath::log_normal"(double)


def _vmath(str name, const double[::1] x, double[::1] out):
    """out = the kernel's own exp, expm1, log1p or log of x (vmath.hpp), for the tests."""
    cdef Py_ssize_t i, n = x.shape[0]
    cdef int which = ("exp", "expm1", "log1p", "log").index(name)
    if out.shape[0] < n:
        raise ValueError("out is shorter than x")
    with nogil:
        for i in range(n):
            out[i] = (vmath_exp(x[i]) if which == 0 else
                      vmath_expm1(x[i]) if which == 1 else
                      vmath_log1p(x[i]) if which == 2 else vmath_log(x[i]))


cdef extern from "fastenet/logistic_rows.hpp" namespace "fastenet" nogil:
    # Overloads spelled out, as above.
    void logistic_miss(Index n, const int32_t* label, const double* eta, double* P)
    double logistic_loss(Index n, const float* sw, const int32_t* label, const double* eta)
    double logistic_loss(Index n, const double* sw, const int32_t* label, const double* eta)
    double logistic_loss_change(Index n, const float* sw, const int32_t* label,
                                const double* P, const float* dz, double t, double db,
                                double* q, Index* rest)
    double logistic_loss_change(Index n, const double* sw, const int32_t* label,
                                const double* P, const double* dz, double t, double db,
                                double* q, Index* rest)
    double logistic_dual_loss(Index n, const float* sw, const double* P, double c)
    double logistic_dual_loss(Index n, const double* sw, const double* P, double c)


def _logistic_rows(const floating[::1] sw, bint weighted, const int32_t[::1] label,
                   const double[::1] eta, const floating[::1] dz, double t, double db,
                   double c):
    """The binary logistic rows (logistic_rows.hpp) on one problem, for the tests:
    (P, loss, change, q, rest, dual), sw ignored unless weighted; all arrays of one n."""
    cdef Py_ssize_t n = label.shape[0]
    if eta.shape[0] != n or dz.shape[0] != n or sw.shape[0] != n:
        raise ValueError("the arrays must have one length")
    P = np.empty(n)
    q = np.empty(n)
    cdef double[::1] Pv = P, qv = q
    cdef const floating* w = &sw[0] if weighted and n > 0 else NULL
    cdef double loss, change, dual
    cdef Index rest = 0
    if n == 0:
        return P, 0.0, 0.0, q, 0, 0.0
    with nogil:
        logistic_miss(n, &label[0], &eta[0], &Pv[0])
        loss = logistic_loss(n, w, &label[0], &eta[0])
        change = logistic_loss_change(n, w, &label[0], &Pv[0], &dz[0], t, db, &qv[0], &rest)
        dual = logistic_dual_loss(n, w, &Pv[0], c)
    return P, loss, change, q, rest, dual
