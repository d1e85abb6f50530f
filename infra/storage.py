"""Object storage for raw messages, documents and artefacts: a local folder or S3 (boto3).

Keys are per account: ``accounts/<slug>/...``. ``put`` returns only once the bytes are durable
(fsync'd locally; acknowledged by S3); ``put_file`` does the same from a file, read in pieces from its
current position, never whole into memory.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol
from urllib.parse import urlparse


COPY_CHUNK = 1024 * 1024  # a file is copied in pieces of this size, never read whole


class StorageUnavailable(Exception):
    """Storage could not be reached or refused the operation; worth retrying later."""


class ObjectMissing(Exception):
    """No object at that key."""


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...
    def put_file(self, key: str, file: BinaryIO, content_type: str = "application/octet-stream") -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def metadata(self, key: str) -> dict[str, str]: ...


def _checked_key(key: str) -> str:
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not key or "\x00" in key:
        raise ValueError(f"unsafe storage key: {key!r}")
    return key


class LocalStorage:
    """A folder on disk. Writes go to a temporary file, are fsync'd, then renamed into place.

    A write that fails removes its temporary file; when the folder refuses even that (an outage),
    the file is remembered and removed by the next call that reaches the folder again."""

    def __init__(self, root: Path):
        self.root = root
        self._stranded: set[str] = set()  # temporary files a failed write could not remove
        self._lock = threading.Lock()

    def _remove_stranded(self) -> None:
        with self._lock:
            stranded, self._stranded = self._stranded, set()
        for tmp in stranded:
            try:
                Path(tmp).unlink(missing_ok=True)
            except OSError:
                with self._lock:
                    self._stranded.add(tmp)

    def _path(self, key: str) -> Path:
        return self.root / _checked_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.put_file(key, io.BytesIO(data), content_type)

    def put_file(self, key: str, file: BinaryIO, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        if self._stranded:
            self._remove_stranded()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    shutil.copyfileobj(file, handle, COPY_CHUNK)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                try:
                    Path(tmp).unlink(missing_ok=True)
                except OSError:  # the folder refuses that too: the next call removes it
                    with self._lock:
                        self._stranded.add(tmp)
                raise
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as e:
            raise StorageUnavailable(f"cannot write {key}: {e.strerror}") from e

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as e:
            raise ObjectMissing(key) from e
        except OSError as e:
            raise StorageUnavailable(f"cannot read {key}: {e.strerror}") from e

    def delete(self, key: str) -> None:
        if self._stranded:
            self._remove_stranded()
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as e:
            raise StorageUnavailable(f"cannot delete {key}: {e.strerror}") from e

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def metadata(self, key: str) -> dict[str, str]:
        """A folder keeps no metadata beside a file."""
        if not self.exists(key):
            raise ObjectMissing(key)
        return {}


class S3Storage:
    """A bucket (and optional prefix) through boto3; ``endpoint_url`` for MinIO or a local server."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 region: str = "us-east-1", client=None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            config=Config(signature_version="s3v4", connect_timeout=5, read_timeout=30,
                          retries={"max_attempts": 2, "mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        key = _checked_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, what: str, key: str, fn, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(Bucket=self.bucket, Key=self._key(key), **kwargs)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code in {"NoSuchKey", "404", "NotFound"}:
                raise ObjectMissing(key) from e
            raise StorageUnavailable(f"S3 {what} {key} failed: {code or e}") from e
        except BotoCoreError as e:
            raise StorageUnavailable(f"S3 {what} {key} failed: {e}") from e

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._call("put", key, self.client.put_object, Body=data, ContentType=content_type)

    def put_file(self, key: str, file: BinaryIO, content_type: str = "application/octet-stream") -> None:
        """One PUT streamed from the file (botocore reads it in pieces, and rewinds it to retry)."""
        self._call("put", key, self.client.put_object, Body=file, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self._call("get", key, self.client.get_object)["Body"].read()

    def delete(self, key: str) -> None:
        self._call("delete", key, self.client.delete_object)

    def metadata(self, key: str) -> dict[str, str]:
        """The object's user metadata (``x-amz-meta-*``, names without the prefix)."""
        return self._call("head", key, self.client.head_object).get("Metadata") or {}

    def exists(self, key: str) -> bool:
        try:
            self._call("head", key, self.client.head_object)
        except ObjectMissing:
            return False
        return True


def put_patiently(storage: Storage, key: str, data: bytes, content_type: str, *, worth_s: float,
                  sleep=time.sleep, clock=time.monotonic) -> None:
    """``put``, tried again while storage is unavailable for as long as the bytes took to make
    (infra/patience.py): a reading that cost an OCR is not lost to a storage outage of seconds."""
    from infra.patience import patiently

    patiently(lambda: storage.put(key, data, content_type), worth_s=worth_s, transient=(StorageUnavailable,),
              what=f"storage unavailable writing {key}", sleep=sleep, clock=clock)


def storage_from_url(url: str, *, endpoint_url: str | None = None, region: str = "us-east-1") -> Storage:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.netloc + parsed.path))
    if parsed.scheme == "s3":
        return S3Storage(parsed.netloc, parsed.path, endpoint_url=endpoint_url, region=region)
    raise ValueError(f"COI_STORAGE_URL must be file:// or s3://, not {url!r}")
