"""Where the cells of an experiment run: in this process, on a local process pool, or on a
Dask cluster.

Every cell is a whole game that carries its own seed, so the place it runs cannot change its
result: the rows are identical whatever the executor and however many workers it has. Each
executor here is a `concurrent.futures.Executor` (Dask's through `Client.get_executor`), so
the experiment code submits cells one way for all of them.

    with open_executor(workers=0, scheduler=None) as executor:   # None: run serially
        ...
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from sim.model.errors import InputError

CLUSTER_EXTRA = "pip install 'jigsaw-sim[cluster]'"
CONNECT_SECONDS = 10.0  # to reach a scheduler and hear its handshake
SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "inproc://", "ucx://")


def cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return os.cpu_count() or 1


@contextmanager
def open_executor(workers: int | None, scheduler: str | None = None) -> Iterator[Executor | None]:
    """The executor for an experiment; None means "play the cells in this process".

    workers: None or 1 = serial; N > 1 = N worker processes; 0 = one per core.
    scheduler: None for a local pool; "local" starts a Dask `LocalCluster` of `workers`
    single-threaded worker processes; "tcp://host:8786" connects to a running Dask scheduler
    (its workers need jigsaw-sim installed, the same version).
    """
    if scheduler is None:
        if workers in (None, 1):
            yield None
            return
        pool = ProcessPoolExecutor(max_workers=workers or cores())
        try:
            yield pool
        except BaseException:
            # Stopped (Ctrl-C, SIGTERM, an error): the cells running now are not waited for,
            # and no worker is left behind playing them for nobody.
            workers_now = list((pool._processes or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in workers_now:
                process.terminate()
            for process in workers_now:
                process.join(timeout=5)
            raise
        else:
            pool.shutdown(cancel_futures=True)
        return
    with _quiet_dask(), _dask_client(workers, scheduler) as client:
        yield client.get_executor(pure=False)


# Dask's loggers: when a cluster is lost or a sweep is interrupted they print dozens of lines
# (reconnect attempts, closed comms, cancelled futures) before the sweep's one line says what
# happened and what was kept. The sweep reports every failure itself.
DASK_LOGGERS = ("distributed", "tornado")


@contextmanager
def _quiet_dask() -> Iterator[None]:
    try:  # Dask sets its loggers' levels when it is first imported: before they are raised
        import distributed  # noqa: F401
    except ImportError:
        pass
    # and a LocalCluster's worker processes read theirs from the environment
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")
    loggers = [logging.getLogger(name) for name in DASK_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextmanager
def _dask_client(workers: int | None, scheduler: str) -> Iterator[Any]:
    if scheduler != "local" and not scheduler.startswith(SCHEMES):
        raise InputError(
            f"--scheduler {scheduler}", "", "expected 'local' or an address like tcp://host:8786"
        )
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError(
            "--scheduler", "", f"Dask is not installed; install it with {CLUSTER_EXTRA}"
        ) from None
    if scheduler == "local":
        with _deaf_to_ctrl_c():  # its processes start ignoring Ctrl-C: this one stops them
            cluster = LocalCluster(
                n_workers=workers or cores(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    client = _connect(Client, scheduler, CONNECT_SECONDS)
    with client:
        yield client


@contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """Ctrl-C reaches every process of the terminal's group. Processes started in here
    inherit SIGINT ignored (Python and asyncio leave an ignored SIGINT alone), so a Ctrl-C
    is this process's alone: it stops the sweep, keeps the rows and closes the cluster,
    instead of each worker printing its own traceback.

    The price: a Ctrl-C in the second or two the cluster takes to start is lost (press it
    again). Blocking SIGINT instead of ignoring it would keep it pending only if every
    thread blocked it, and numpy's BLAS threads, started at import, take it and drop it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(client_type: Any, address: str, seconds: float) -> Any:
    """A Dask client of the scheduler at `address`, or one InputError line within `seconds`.

    Dask's own `timeout` bounds reaching the address, not a peer that accepts the connection
    and then says nothing, so the connection is made in a thread this process waits for at
    most `seconds` (a daemon thread: a silent peer cannot keep the process alive). What
    answers with something other than Dask's handshake (any exception, even MemoryError from
    a garbage length prefix) is "not a Dask scheduler"."""
    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = client_type(address, timeout=f"{seconds:g}s")
        except BaseException as exc:  # noqa: BLE001 - reported in the waiting thread
            box["error"] = exc

    thread = threading.Thread(target=connect, name="dask-connect", daemon=True)
    thread.start()
    thread.join(seconds + 2)
    where = f"--scheduler {address}"
    if thread.is_alive():
        raise InputError(
            where, "", f"no answer within {seconds:g} s (is a Dask scheduler listening there?)"
        )
    error = box.get("error")
    if isinstance(error, OSError | TimeoutError):
        raise InputError(where, "", f"cannot reach the Dask scheduler ({_brief(error)})")
    if error is not None:
        raise InputError(
            where, "", f"what answers is not a Dask scheduler ({type(error).__name__})"
        )
    return box["client"]


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 120 else text[:117] + "..."
