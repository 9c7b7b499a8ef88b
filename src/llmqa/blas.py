"""One BLAS thread for work made of many small matrix products.

A bootstrap replicate or a fold's logistic-regression fit multiplies matrices of a few hundred
rows. With a BLAS thread per core, each product wakes and joins threads that spin while
waiting, and NumPy and SciPy each load their own OpenBLAS, whose threads then compete for the
same cores: on few cores the hand-offs cost more than the arithmetic (figures in
evals/README.md, `bench_triage.py --compare-blas` and `bench_triage_refresh.py`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager


def one_blas_thread() -> AbstractContextManager[object]:
    """A context in which NumPy's and SciPy's BLAS use one thread; restored on exit."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
