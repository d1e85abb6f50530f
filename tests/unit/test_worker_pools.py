"""`coi worker` without --queues: fast work and OCR in pools of their own (issue 20)."""

from __future__ import annotations

import sys

from infra.entry.worker_pools import pool_commands, run_pools


def _pools(commands: list[list[str]]) -> list[tuple[str, str]]:
    """(queues, threads) of each dramatiq command line."""
    out = []
    for command in commands:
        threads = command[command.index("--threads") + 1]
        queues = command[command.index("--queues") + 1] if "--queues" in command else "*"
        out.append((queues, threads))
    return out


def test_given_no_queues_when_the_worker_starts_then_ocr_has_a_pool_apart_from_the_fast_work():
    commands = pool_commands(2, 4, ())
    assert _pools(commands) == [("default", "4"), ("ocr", "1")]
    assert all(c[c.index("--processes") + 1] == "2" for c in commands)


def test_given_named_queues_when_the_worker_starts_then_one_pool_serves_them_as_asked():
    assert _pools(pool_commands(1, 3, ("ocr",))) == [("ocr", "3")]


def test_given_dramatiq_arguments_then_every_pool_gets_them():
    commands = pool_commands(1, 2, (), ("--verbose",))
    assert [c[-1] for c in commands] == ["--verbose", "--verbose"]


def test_given_two_pools_when_one_ends_then_the_other_is_stopped_and_its_status_returned():
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    failing = [sys.executable, "-c", "import sys; sys.exit(3)"]
    assert run_pools([sleeper, failing], {}, poll=0.05) == 3


def test_given_coi_worker_without_queues_then_both_pools_are_run(monkeypatch):
    from click.testing import CliRunner

    import infra.entry.worker_pools
    from infra.entry.cli import main

    seen = []
    monkeypatch.setattr(infra.entry.worker_pools, "run_pools", lambda commands, env: seen.append(commands) or 0)
    monkeypatch.delenv("COI_METRICS_PORT", raising=False)
    result = CliRunner().invoke(main, ["worker", "--threads", "2"])
    assert result.exit_code == 0, result.output
    assert _pools(seen[0]) == [("default", "2"), ("ocr", "1")]


def test_given_the_supervisor_killed_when_its_pools_run_then_they_are_stopped(tmp_path):
    import os
    import signal
    import subprocess
    import time

    pid_file = tmp_path / "pool.pid"
    pool = [sys.executable, "-c", f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)"]
    supervisor = subprocess.Popen([sys.executable, "-c", "import sys; from infra.entry.worker_pools import run_pools; "
                                   f"sys.exit(run_pools({[pool, pool]!r}, dict(__import__('os').environ)))"])
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait()
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if open(f"/proc/{pid}/stat").read().split()[2] == "Z":  # ended, not yet reaped by init
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("a pool outlived its supervisor")


def test_given_a_pool_of_the_ocr_queue_alone_then_its_malloc_has_one_arena_and_the_fast_pool_is_left_as_is():
    from infra.entry.worker_pools import pool_env

    fast, ocr = pool_commands(1, 4, (), ("--verbose",))
    assert pool_env(ocr, {"PATH": "/bin"}) == {"PATH": "/bin", "MALLOC_ARENA_MAX": "1", "COI_OCR_PAGE_THREADS": "1"}
    assert pool_env(fast, {"PATH": "/bin"}) == {"PATH": "/bin"}
    [both] = pool_commands(1, 2, ("default", "ocr"))
    assert pool_env(both, {}) == {"COI_OCR_PAGE_THREADS": "2"}
    [only_ocr] = pool_commands(1, 2, ("ocr",))
    assert pool_env(only_ocr, {"MALLOC_ARENA_MAX": "4"}) == {"MALLOC_ARENA_MAX": "4",  # the operator's own kept
                                                             "COI_OCR_PAGE_THREADS": "2"}


def test_given_a_pool_that_serves_the_ocr_queue_then_it_is_told_the_pages_it_reads_at_once():
    """Given `coi worker --processes N` (the OCR pool: N processes of OCR_THREADS), when its environment is made,
    then it says N x OCR_THREADS pages at once, each process decides its side thread from that, and an
    operator's own figure (several workers on one machine) is kept."""
    from infra.entry.worker_pools import OCR_THREADS, pool_env

    for processes in (1, 2, 3):
        _, ocr = pool_commands(processes, 4, ())
        env = pool_env(ocr, {})
        assert env["COI_OCR_PAGE_THREADS"] == str(processes * OCR_THREADS)
    [mixed] = pool_commands(2, 3, ("default", "ocr"))
    assert pool_env(mixed, {})["COI_OCR_PAGE_THREADS"] == "6"  # any of its threads may read a page
    _, ocr = pool_commands(2, 4, ())
    assert pool_env(ocr, {"COI_OCR_PAGE_THREADS": "4"})["COI_OCR_PAGE_THREADS"] == "4"


def test_given_both_pools_when_they_run_then_the_ocr_pools_process_has_one_malloc_arena(tmp_path):
    out = tmp_path / "arenas"
    ocr = [sys.executable, "-c", f"import os; open({str(out)!r}, 'w').write(os.environ.get('MALLOC_ARENA_MAX', '-'))",
           "--queues", "ocr"]
    fast = [sys.executable, "-c", "import time; time.sleep(30)", "--queues", "default"]
    assert run_pools([ocr, fast], {}, poll=0.05) == 0  # the OCR pool ended first; the other was stopped
    assert out.read_text() == "1"


def test_given_a_plain_worker_then_its_ocr_pool_counts_the_fast_pools_cores_as_busy():
    """`coi worker` (both pools): the OCR pool is told its own pages and a core for each process of the fast pool,
    so on 2 cores a page's side work runs on its own thread only when the OCR pool runs alone."""
    from infra.entry.worker_pools import pool_envs
    from pipeline.ocr.pages import side_thread_helps

    fast_env, ocr_env = pool_envs(pool_commands(1, 4, ()), {})
    assert "COI_OCR_PAGE_THREADS" not in fast_env
    assert ocr_env["COI_OCR_PAGE_THREADS"] == "2"
    assert not side_thread_helps(int(ocr_env["COI_OCR_PAGE_THREADS"]), 2)
    [alone] = pool_envs(pool_commands(1, 1, ("ocr",)), {})
    assert alone["COI_OCR_PAGE_THREADS"] == "1" and side_thread_helps(int(alone["COI_OCR_PAGE_THREADS"]), 2)
    _, three = pool_envs(pool_commands(3, 4, ()), {})
    assert three["COI_OCR_PAGE_THREADS"] == "6"
    _, told = pool_envs(pool_commands(1, 4, ()), {"COI_OCR_PAGE_THREADS": "1"})
    assert told["COI_OCR_PAGE_THREADS"] == "1"  # the operator's own figure kept
