"""Corpus mode on a Dask cluster (``bpclass clean --jsonl --engine dask``).

The driver reads the JSON Lines input in batches, as the local engine does, and
submits each batch to the cluster as a task; at most ``2 * workers`` batches are in
flight, and results are written in input order through the same writer (output,
errors file, checkpoints). Workers load the model themselves, once each: the bundled
model, or ``--model PATH``, which must then be readable at that path on every worker.

A batch whose task fails (a worker killed, a record that crashes it) is retried
record by record; a record that still fails is written to the errors file with the
reason, and the run goes on.

Needs the ``dask`` extra: ``pip install "bpclass[dask]"``.
"""

from __future__ import annotations

from collections import deque

from bpclass.records import CorpusOptions, clean_batch


def _client(scheduler: str | None, workers: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ValueError('the dask engine needs Dask: pip install "bpclass[dask]"') from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="30s"), None
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
    return Client(cluster), cluster


def _per_record(client, batch: list, options: CorpusOptions) -> list:
    out = []
    for number, raw in batch:
        try:
            out += client.submit(clean_batch, [(number, raw)], options, pure=False).result()
        except Exception as exc:  # noqa: BLE001 - any task failure is this record's error
            reason = f"failed on the cluster: {type(exc).__name__}: {exc}"
            out.append(("error", number, reason, raw))
    return out


def run_dask(batches, options: CorpusOptions, workers: int, scheduler: str | None, write) -> None:
    """Clean ``batches`` on a Dask cluster and hand results, in order, to ``write``."""
    client, cluster = _client(scheduler, max(workers, 1))
    in_flight = 2 * max(len(client.scheduler_info().get("workers", {})), workers, 1)
    pending: deque = deque()

    def finish_oldest():
        batch, future = pending.popleft()
        try:
            results = future.result()
        except Exception:  # noqa: BLE001 - retried record by record below
            results = _per_record(client, batch, options)
        write(results, batch[-1][0])

    try:
        for batch in batches:
            pending.append((batch, client.submit(clean_batch, batch, options, pure=False)))
            while len(pending) >= in_flight:
                finish_oldest()
        while pending:
            finish_oldest()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
