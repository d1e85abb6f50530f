"""For fault tests: real ``coi worker`` processes to kill, and services of one test's own that it
can take down and bring back (a PostgreSQL cluster, a Redis server and a moto S3 server, each on a
free loopback port). The machine's shared services are never stopped: other test sessions use them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from services import free_port, wait_for


def process_env(values: dict) -> dict[str, str]:
    """The environment of a ``coi`` process run with these settings (None: left unset)."""
    return {**os.environ, "COI_LOG_LEVEL": "INFO",
            **{f"COI_{k.upper()}": str(v) for k, v in values.items() if v is not None}}


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    coi = Path(sys.executable).with_name("coi")
    return subprocess.Popen([str(coi), "worker", "--processes", "1", "--threads", "2"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its tesseract, with no chance to clean up
    worker.wait(timeout=10)


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        pytest.fail("PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/services")
    return found[-1].parent


class PrivatePostgres:
    """A throwaway cluster (trust auth, fsync off). As root, its processes run as ``postgres``:
    the server refuses to run as root."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="coi-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash: open transactions are cut off and recovered from the WAL on start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        subprocess.run([*self.as_owner, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_owner, str(self.bin / tool), *args], capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")


class PrivateRedis:
    """redis-server with an append-only file synced on every write (``persistent``), or keeping
    nothing, as this machine's shared Redis does."""

    def __init__(self, directory: Path, *, persistent: bool) -> None:
        self.directory = directory
        self.port = free_port()
        self.persistent = persistent
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir",
             str(self.directory), *persistence], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _answers(client), timeout=20)
        client.close()

    def stop(self) -> None:
        """A crash: SIGKILL, no chance to save."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None


def _answers(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


class PrivateS3:
    """A moto S3 server; its buckets and objects live in this process, so they outlast a stop."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server = None
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
