"""S3-compatible object storage (``LMS_STORAGE_URL=s3://bucket/prefix``) through boto3:
AWS S3, MinIO, Ceph RGW, NetApp StorageGRID, SeaweedFS.

Endpoint, region and credentials come from boto3's usual places (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``, ``AWS_ENDPOINT_URL_S3``, the shared config
files, an instance role), or the endpoint from ``LMS_S3_ENDPOINT_URL``. Objects are keyed
``<prefix>/<area>/<name>``.

A write is one PUT: the object appears whole or not at all, and the SHA-256 goes along
(``x-amz-checksum-sha256``), so the store refuses bytes that arrived different from
what was hashed. A download streams the object through the app in pieces, or, with
``LMS_STORAGE_PRESIGNED`` seconds, redirects to a presigned URL that lives that long
(the browser then fetches the object from the store itself).
"""

from __future__ import annotations

import base64
import os
import threading
import unicodedata
from collections.abc import Iterator
from typing import Any, BinaryIO, cast
from urllib.parse import quote, urlsplit

from flask import redirect, send_file
from werkzeug.http import dump_options_header
from werkzeug.wrappers import Response

from lms.storage.backend import Backend, StorageError, StoredFileMissing, check_name

S3Client = Any  # (boto3's client class is made at run time)
_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage(Backend):
    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 presigned_seconds: int = 0) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self.presigned_seconds = presigned_seconds
        where = f" at {endpoint_url}" if endpoint_url else ""
        self.description = "s3://" + "/".join(p for p in (bucket, self.prefix) if p) + where
        self._client: Any = None
        self._client_pid = 0
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> S3Storage:
        bucket, prefix = parse_s3_url(url)
        return cls(bucket, prefix, **options)

    @property
    def client(self) -> S3Client:
        """One client per process (boto3's clients are thread-safe, but a connection pool
        must not cross a fork)."""
        if self._client is None or self._client_pid != os.getpid():
            with self._lock:
                if self._client is None or self._client_pid != os.getpid():
                    self._client, self._client_pid = self._new_client(), os.getpid()
        return self._client

    def _new_client(self) -> S3Client:
        import boto3
        from botocore.config import Config

        config = Config(
            signature_version="s3v4",
            # Path-style addressing (http://host/bucket/key) for a store of one's own,
            # whose host names rarely carry a bucket each; AWS chooses for itself.
            s3={"addressing_style": "path" if self.endpoint_url else "auto"},
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=5, read_timeout=60,
            # Only the checksums asked for (the SHA-256 below): stores that do not speak
            # the newer default trailers (older MinIO, Ceph, StorageGRID) then work too.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        return boto3.session.Session().client("s3", endpoint_url=self.endpoint_url,
                                               config=config)

    def key(self, area: str, name: str) -> str:
        return "/".join(part for part in (self.prefix, area, check_name(name)) if part)

    def _area_prefix(self, area: str) -> str:
        return "/".join(part for part in (self.prefix, area) if part) + "/"

    def put(self, area: str, name: str, data: bytes | BinaryIO, sha256: str) -> None:
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
        with _translated(f"storing {area}/{name} in {self.description}"):
            answer = self.client.put_object(
                Bucket=self.bucket, Key=self.key(area, name), Body=data,
                ChecksumSHA256=checksum, ContentType="application/octet-stream",
                Metadata={"sha256": sha256})
        echoed = answer.get("ChecksumSHA256")
        if echoed is not None and echoed != checksum:  # (a store that stored something else)
            self.remove(area, name)
            raise StorageError(f"{self.description} stored {area}/{name} with another "
                               "SHA-256 than was sent; the object is removed")

    def open(self, area: str, name: str) -> BinaryIO:
        with _translated(f"reading {area}/{name} from {self.description}"):
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(area, name))["Body"]
        return cast(BinaryIO, body)

    def size(self, area: str, name: str) -> int:
        with _translated(f"looking up {area}/{name} in {self.description}"):
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(area, name))
        return int(head["ContentLength"])

    def remove(self, area: str, name: str) -> None:
        with _translated(f"removing {area}/{name} from {self.description}"):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(area, name))

    def names(self, area: str) -> Iterator[str]:
        prefix = self._area_prefix(area)
        with _translated(f"listing {area} in {self.description}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix)
            for page in pages:
                for entry in page.get("Contents", ()):
                    name = entry["Key"][len(prefix):]
                    if "/" not in name:
                        yield name

    def check_reachable(self) -> None:
        """The bucket answers with these credentials (a HEAD, nothing written: readiness
        probes come every few seconds, and a versioned bucket would keep every probe)."""
        try:
            with _translated(f"reaching {self.description}"):
                self.client.head_bucket(Bucket=self.bucket)
        except StoredFileMissing:
            raise StorageError(f"the bucket {self.bucket!r} does not exist at "
                               f"{self.endpoint_url or 'AWS'}") from None

    def download(self, area: str, name: str, *, download_name: str, mimetype: str,
                 etag: str | None, cache_control: str) -> Response:
        if self.presigned_seconds:
            return self._redirect(area, name, download_name=download_name, mimetype=mimetype)
        with _translated(f"reading {area}/{name} from {self.description}"):
            stored = self.client.get_object(Bucket=self.bucket, Key=self.key(area, name))
        body = stored["Body"]
        response = send_file(body, mimetype=mimetype, as_attachment=True,
                             download_name=download_name, etag=etag or False, max_age=0)
        response.call_on_close(body.close)
        if response.status_code == 200:
            response.content_length = int(stored["ContentLength"])
        response.headers["Cache-Control"] = cache_control
        return response

    def _redirect(self, area: str, name: str, *, download_name: str, mimetype: str) -> Response:
        """A 303 to the object itself, signed for ``presigned_seconds``; the store answers
        with the attachment headers the app would have sent. The redirect is not cached:
        each click asks the app (and its access check) again."""
        with _translated(f"signing an address of {area}/{name} in {self.description}"):
            url = self.client.generate_presigned_url("get_object", Params={
                "Bucket": self.bucket, "Key": self.key(area, name),
                "ResponseContentType": mimetype,
                "ResponseContentDisposition": attachment(download_name),
                "ResponseCacheControl": "private, no-store",
            }, ExpiresIn=self.presigned_seconds)
        response = redirect(url, code=303)
        response.headers["Cache-Control"] = "private, no-store"
        return response


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix); ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is not s3://bucket/prefix")
    return parts.netloc, parts.path.strip("/")


def attachment(download_name: str) -> str:
    """Content-Disposition for a download, as send_file writes it (an ASCII ``filename``
    and, for other names, an RFC 5987 ``filename*``)."""
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore")
        quoted = quote(download_name, safe="!#$&+-.^_`|~")
        return dump_options_header("attachment", {"filename": simple.decode("ascii"),
                                                  "filename*": f"UTF-8''{quoted}"})
    return dump_options_header("attachment", {"filename": download_name})


class _translated:
    """boto3's and botocore's errors as StorageError (a missing object as StoredFileMissing),
    with what was being done."""

    def __init__(self, doing: str) -> None:
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 _trace: object) -> None:
        if error is None:
            return
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _MISSING:
                raise StoredFileMissing(f"{self.doing}: there is no such object") from None
            raise StorageError(f"{self.doing}: {code or error}") from error
        if isinstance(error, BotoCoreError):
            raise StorageError(f"{self.doing}: {error}") from error
