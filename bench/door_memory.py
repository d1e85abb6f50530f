"""The SMTP door's memory with large messages: a real `coi smtp` process (embedded defaults: SQLite,
local storage, embedded Redis) is sent messages of about ``--mb`` MB each (one PDF attachment, base64),
``--parallel`` at a time; prints its resident memory before, its peak (VmHWM) and after.

    .venv/bin/python -m bench.door_memory --mb 48 [--parallel 1]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024  # MB
    return 0


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def message(mb: float) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "agent@example.test", "acme@coi.test", "big"
    mail.set_content("Attached.")
    mail.add_attachment(b"%PDF-1.4\n" + os.urandom(int(mb * 1024 * 1024 * 3 / 4)), maintype="application",
                        subtype="pdf", filename="big.pdf")  # base64: the encoded message is about `mb` MB
    return mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=48)
    parser.add_argument("--parallel", type=int, default=1)
    args = parser.parse_args()
    coi = str(Path(sys.executable).with_name("coi"))
    with tempfile.TemporaryDirectory() as var:
        port = _port()
        env = {**os.environ, "COI_VAR_DIR": var, "COI_INBOUND_DOMAIN": "coi.test", "COI_LOG_LEVEL": "WARNING",
               "COI_SMTP_BYTES_PER_MINUTE": "0", "COI_SMTP_MESSAGES_PER_MINUTE": "0",
               "COI_SMTP_SESSIONS_PER_IP": "0"}  # all from one address: the bench measures memory, not the caps
        subprocess.run([coi, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([coi, "account", "add", "acme", "--name", "Acme"], env=env, check=True, capture_output=True)
        door = subprocess.Popen([coi, "smtp", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            data = message(args.mb)
            before = _status(door.pid, "VmRSS")
            codes: list[str] = []

            def send() -> None:
                with smtplib.SMTP("127.0.0.1", port, timeout=300) as client:
                    client.sendmail("agent@example.test", ["acme@coi.test"], data)
                    codes.append("250")

            started = time.monotonic()
            threads = [threading.Thread(target=send) for _ in range(args.parallel)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            took = time.monotonic() - started
            time.sleep(1)
            print(f"message {len(data) / 1e6:.1f} MB encoded, {args.parallel} at once, accepted {len(codes)}, "
                  f"{took:.1f} s; door RSS before {before} MB, peak {_status(door.pid, 'VmHWM')} MB, "
                  f"after {_status(door.pid, 'VmRSS')} MB")
        finally:
            door.terminate()
            door.wait(30)


if __name__ == "__main__":
    main()
