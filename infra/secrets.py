"""Secrets kept in the database (webhook signing secrets) are encrypted with one key (Fernet).

The key is ``COI_SECRET_KEY`` (a Fernet key: ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``). On the embedded defaults, with no key set, one is made on
first use in ``<var>/secret.key`` (mode 0600) and shared by every process on the machine.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


class SecretsUnavailable(RuntimeError):
    """The key cannot decrypt a stored secret (it was changed or lost)."""


def load_key(configured: str, var_dir: Path) -> bytes:
    if configured:
        return configured.encode()
    path = var_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # written whole beside it, then linked into place: another process never reads a key half written, and
        # of two made at once the first linked is everyone's
        descriptor, written = tempfile.mkstemp(dir=path.parent, prefix=".secret.key.")  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(Fernet.generate_key())
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(written, path)
            except FileExistsError:  # another process made it first
                pass
        finally:
            os.unlink(written)
    return path.read_bytes().strip()


class SecretBox:
    def __init__(self, key: bytes):
        self._fernet = Fernet(key)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SecretsUnavailable("A stored secret cannot be decrypted with COI_SECRET_KEY; "
                                     "was the key changed? Add the webhook again with the new key.") from exc
