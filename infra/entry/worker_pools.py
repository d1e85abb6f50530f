"""What ``coi worker`` runs: the dramatiq command lines, one pool per kind of work.

Without ``--queues`` a worker serves both queues, but not from one pool of threads: in one pool, a
burst of scans occupies every thread (an OCR takes seconds) and a born-digital certificate waits
behind it, whatever the priorities (issue 20 measured a 31 s wait with ``--threads 2``). So a plain
``coi worker`` runs two dramatiq pools side by side: ``--queues default`` with the threads asked
for, and ``--queues ocr`` with OCR_THREADS per process (tesseract is CPU-bound; one OCR per core
is the fastest). ``--queues`` names one pool, as before. The pools run under this process, which
hands them its signals and stops the other when one ends. A pool of the OCR queue alone runs with glibc's
malloc held to one arena (OCR_POOL_ENV), and every pool that serves the OCR queue is told how many pages
it reads at once (PAGE_THREADS_VARIABLE).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

DEFAULT_QUEUE, OCR_QUEUE = "default", "ocr"
OCR_THREADS = 1
# glibc's malloc in a pool that serves only the OCR queue: one arena. By default each thread that allocates gets
# an arena of its own (up to 8 a core), and what one frees the others do not reuse: an OCR's page images freed by
# its side thread (pipeline/ocr/pages.py, SIDE_THREADS) and by its own stay apart, and the process's peak is
# both working sets. With one arena the same peak is 25-55 MB lower for the same CPU (docs/scaling.md, ocrmem).
# Set in the environment (or MALLOC_ARENA_MAX given to `coi worker`), it is left as given.
OCR_POOL_ENV = {"MALLOC_ARENA_MAX": "1"}
# the setting (infra/settings.py ``ocr_page_threads``) a pool that serves the OCR queue is given: its pages at once
PAGE_THREADS_VARIABLE = "COI_OCR_PAGE_THREADS"


def pool_commands(processes: int, threads: int, queues: tuple[str, ...],
                  extra: tuple[str, ...] = ()) -> list[list[str]]:
    """The dramatiq command line of each pool (``extra``: arguments handed to every pool)."""
    def command(threads_each: int, consumed: tuple[str, ...]) -> list[str]:
        return [sys.executable, "-m", "dramatiq", "workers.entry:setup", "--processes", str(processes),
                "--threads", str(threads_each), *(["--queues", *consumed] if consumed else []), *extra]

    if queues:
        return [command(threads, queues)]
    return [command(threads, (DEFAULT_QUEUE,)), command(OCR_THREADS, (OCR_QUEUE,))]


def pool_env(command: list[str], env: dict[str, str], *, beside: int = 0) -> dict[str, str]:
    """The environment of the pool ``command`` runs: ``env``, with OCR_POOL_ENV's settings it does not make
    itself when the pool serves only the OCR queue, and, when it serves the OCR queue, how many cores its pages
    and the worker's other pools may keep busy at once (PAGE_THREADS_VARIABLE: its processes x threads, and
    ``beside``, unless ``env`` sets it), from which each process decides whether a page's side work gets a
    thread of its own (pipeline/ocr/pages.py ``side_thread_helps``)."""
    consumed = _consumed(command)
    if OCR_QUEUE not in consumed:
        return env
    told = {}
    if "--processes" in command and "--threads" in command:  # as pool_commands writes them
        told[PAGE_THREADS_VARIABLE] = str(_number(command, "--processes") * _number(command, "--threads") + beside)
    return {**(OCR_POOL_ENV if set(consumed) == {OCR_QUEUE} else {}), **told, **env}


def pool_envs(commands: list[list[str]], env: dict[str, str]) -> list[dict[str, str]]:
    """Each pool's :func:`pool_env`, an OCR pool told of the cores the worker's fast pools may keep busy beside
    it: one a process (a process's threads share the interpreter's lock; born-digital work is Python's). A plain
    ``coi worker`` on 2 cores so reads its pages without a side thread: the fast pool's core is not idle to run
    one whenever work arrives, and the side thread adds 20-25 MB to the OCR process's peak (docs/scaling.md)."""
    fast = [_number(c, "--processes") for c in commands if OCR_QUEUE not in _consumed(c) and "--processes" in c]
    return [pool_env(c, env, beside=sum(fast) if OCR_QUEUE in _consumed(c) else 0) for c in commands]


def _consumed(command: list[str]) -> list[str]:
    consumed = []
    if "--queues" in command:
        for arg in command[command.index("--queues") + 1:]:
            if arg.startswith("-"):
                break
            consumed.append(arg)
    return consumed


def _number(command: list[str], option: str) -> int:
    return int(command[command.index(option) + 1])


def _stop_with_parent() -> None:
    """In a pool's process before it runs dramatiq: SIGTERM when the supervisor dies (Linux prctl)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_pools(commands: list[list[str]], env: dict[str, str], *, poll: float = 0.2) -> int:
    """Run the pools until they end; one pool replaces this process (exec), several are supervised.

    SIGTERM, SIGINT and SIGHUP go to every pool; the pools stay in this process's group, so a signal
    to the group (a Ctrl-C, ``kill -- -PGID``) reaches them all, and a pool whose supervisor dies
    is sent SIGTERM (Linux). When one pool ends, the others are stopped, and its exit status is
    returned."""
    envs = pool_envs(commands, env)
    if len(commands) == 1:
        os.execve(commands[0][0], commands[0], envs[0])
        return 0  # not reached: exec replaced this process
    children = [subprocess.Popen(command, env=command_env, preexec_fn=_stop_with_parent)
                for command, command_env in zip(commands, envs)]

    def hand_on(signum, _frame) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, hand_on)
    ended = None
    try:
        while ended is None:
            ended = next((child for child in children if child.poll() is not None), None)
            time.sleep(0 if ended else poll)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return ended.returncode
