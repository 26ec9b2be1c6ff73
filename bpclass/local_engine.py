"""The local engine of corpus mode with ``--jobs`` above 1: batches cleaned on a
pool of worker processes, at most ``2 * jobs`` in flight, handed back in input order.

A worker that dies (killed, out of memory, crashed) takes only its batch with it:
the batch is retried in a fresh worker, then record by record, and a record that
still kills its worker is reported as failed; the run goes on with a fresh pool.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bpclass.records import CorpusOptions, _worker_init, clean_batch


def run_parallel(batches, options: CorpusOptions, jobs: int, write) -> None:
    """Clean batches on ``jobs`` processes, at most 2 * jobs in flight, written in order."""
    pool = _new_pool(jobs, options)
    pending: deque = deque()
    try:
        for batch in batches:
            pending.append((batch, _submit(pool, batch, options)))
            while len(pending) >= 2 * jobs:
                pool = _finish_oldest(pending, pool, options, jobs, write)
        while pending:
            pool = _finish_oldest(pending, pool, options, jobs, write)
    finally:
        pool.shutdown(cancel_futures=True)


def _new_pool(jobs: int, options: CorpusOptions) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(options.model_path,))


def _alone(batch: list, options: CorpusOptions):
    """Clean a batch in a fresh one-worker pool; None if the worker dies."""
    pool = _new_pool(1, options)
    try:
        return pool.submit(clean_batch, batch, options).result()
    except BrokenProcessPool:
        return None
    finally:
        pool.shutdown(cancel_futures=True)


def _isolate(batch: list, options: CorpusOptions) -> list:
    """Results for a batch whose worker died: retry it, then record by record."""
    results = _alone(batch, options)
    if results is not None:
        return results
    out = []
    for number, raw in batch:
        single = _alone([(number, raw)], options)
        out += single or [("error", number, "the worker process died on this record", raw)]
    return out


def _submit(pool, batch: list, options: CorpusOptions):
    """The batch's future, or None when the pool is already broken."""
    try:
        return pool.submit(clean_batch, batch, options)
    except BrokenProcessPool:
        return None


def _finish_oldest(pending: deque, pool, options, jobs, write):
    batch, future = pending.popleft()
    try:
        if future is None:
            raise BrokenProcessPool("the pool broke before this batch was submitted")
        results = future.result()
    except BrokenProcessPool:
        # A worker died (killed, out of memory, crashed). Every batch in flight
        # failed with it; find the record that did it, then resubmit the others.
        pool.shutdown(cancel_futures=True)
        results = _isolate(batch, options)
        pool = _new_pool(jobs, options)
        for k, (other, _) in enumerate(pending):
            pending[k] = (other, _submit(pool, other, options))
    write(results, batch[-1][0])
    return pool
