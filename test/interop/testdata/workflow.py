"""Drive boto3 against a loopback trove for the interoperability tests.

The Go test (boto3_test.go) starts this script once per server and sends it one JSON
request per line on standard input; the script answers each with one JSON line on
standard output: {"ok": true, ...} or {"error": {"code", "status", "message"}}.

Usage: workflow.py ENDPOINT BUCKET [CA_BUNDLE]

The client gets the endpoint, the region and the key from the arguments and the
environment (TROVE_INTEROP_KEY_ID, TROVE_INTEROP_SECRET, TROVE_INTEROP_REGION), never
from a shared AWS file or instance metadata; over HTTPS it trusts CA_BUNDLE alone.
"""

import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError


def new_client(endpoint, ca_bundle):
    """Return an S3 client with path-style addressing, no retries, default checksums.

    signature_version s3v4 is what trove needs: without it botocore presigns URLs for
    us-east-1 with SigV2, which trove refuses as S3 does.
    """
    session = boto3.session.Session(
        aws_access_key_id=os.environ["TROVE_INTEROP_KEY_ID"],
        aws_secret_access_key=os.environ["TROVE_INTEROP_SECRET"],
        region_name=os.environ["TROVE_INTEROP_REGION"],
    )
    config = Config(
        s3={"addressing_style": "path"},
        signature_version="s3v4",
        retries={"total_max_attempts": 1},
    )
    verify = ca_bundle if ca_bundle else None
    return session.client("s3", endpoint_url=endpoint, verify=verify, config=config)


class Runner:
    """Carries out requests against one bucket."""

    def __init__(self, s3, bucket):
        self.s3 = s3
        self.bucket = bucket
        # boto3's defaults, spelled out: 8 MiB threshold and parts.
        self.transfer = TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20)
        self.sent = []
        s3.meta.events.register("before-send.s3.PutObject", self._record_upload)
        s3.meta.events.register("before-send.s3.UploadPart", self._record_upload)

    def _record_upload(self, request, **_):
        """Note how botocore encoded the body of an upload."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        for name, value in headers.items():
            if isinstance(value, bytes):
                headers[name] = value.decode("latin-1")
        self.sent.append({
            "target": "%s %s" % (request.method, request.url),
            "sha256": headers.get("x-amz-content-sha256", ""),
            "encoding": headers.get("content-encoding", ""),
            "trailer": headers.get("x-amz-trailer", ""),
            "checksum": any(n.startswith("x-amz-checksum-") for n in headers),
        })

    def uploads(self, req):
        return {"uploads": self.sent}

    def make_bucket(self, req):
        self.s3.create_bucket(Bucket=self.bucket)
        return {}

    def upload(self, req):
        self.s3.upload_file(req["path"], self.bucket, req["key"], Config=self.transfer)
        return {}

    def list(self, req):
        keys = []
        pages = self.s3.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=req["prefix"]):
            keys.extend(o["Key"] for o in page.get("Contents", []))
        return {"keys": keys}

    def download(self, req):
        self.s3.download_file(self.bucket, req["key"], req["path"], Config=self.transfer)
        return {}

    def copy(self, req):
        source = {"Bucket": self.bucket, "Key": req["src"]}
        self.s3.copy(source, self.bucket, req["dst"], Config=self.transfer)
        return {}

    def put_if_absent(self, req):
        with open(req["path"], "rb") as body:
            self.s3.put_object(Bucket=self.bucket, Key=req["key"], Body=body, IfNoneMatch="*")
        return {}

    def remove(self, req):
        objects = [{"Key": k} for k in req["keys"]]
        out = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects})
        errors = out.get("Errors", [])
        if errors:
            raise RuntimeError("delete_objects reported errors: %r" % errors)
        return {}

    def presign(self, req):
        method = {"GET": "get_object", "PUT": "put_object"}[req["method"]]
        url = self.s3.generate_presigned_url(
            method,
            Params={"Bucket": self.bucket, "Key": req["key"]},
            ExpiresIn=req["expires"],
        )
        return {"url": url}


def error_of(exc):
    """Describe exc as the Go side reads it."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        return {
            "code": err.get("Code", ""),
            "status": meta.get("HTTPStatusCode", 0),
            "message": str(exc),
        }
    return {"code": "", "status": 0, "message": "%s: %s" % (type(exc).__name__, exc)}


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    endpoint, bucket = argv[1], argv[2]
    ca_bundle = argv[3] if len(argv) == 4 else ""
    runner = Runner(new_client(endpoint, ca_bundle), bucket)
    for line in sys.stdin:
        req = json.loads(line)
        op = getattr(runner, req["op"], None)
        try:
            if op is None or req["op"].startswith("_"):
                raise ValueError("unknown op %r" % req["op"])
            answer = dict(op(req), ok=True)
        except Exception as exc:  # pylint: disable=broad-except
            # Every failure is an answer: the Go test decides what it means.
            answer = {"ok": False, "error": error_of(exc)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
