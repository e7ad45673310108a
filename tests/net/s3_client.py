#!/usr/bin/python3
"""The S3 client side of the namespace tests: Debian's boto3 (a real S3 client)
against ENDPOINT (lbd in front of s3rver or tests/net/s3_stub.py), with
s3rver's default credentials (S3RVER / S3RVER), which the stub takes too.
   s3_client.py ENDPOINT big SIZE_MB        small PUT and ranged GET, multipart
                                            upload of SIZE_MB in 64 MiB parts,
                                            download compared by MD5, ranged GET
                                            of its tail (against s3rver)
   s3_client.py ENDPOINT signed             what only the stub can check: SigV4
                                            requests (PutObject, a 3-part upload),
                                            an aws-chunked PUT with a trailer
   s3_client.py ENDPOINT upload FILE KEY    multipart upload with boto3's own
                                            retries, then read back and compare
Each prints one JSON line; exit status 0 when everything matched.  The
SIZE_MB file is written in $S3_TMP (default /tmp) and removed."""
import hashlib
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

endpoint, op = sys.argv[1], sys.argv[2]
MB = 1 << 20
KEY = SECRET = "S3RVER"
creds = botocore.credentials.Credentials(KEY, SECRET)
sends = {}
failures = []
lock = threading.Lock()


def count_send(event_name=None, **kw):
    op_name = event_name.split(".")[-1]
    with lock:
        sends[op_name] = sends.get(op_name, 0) + 1


def note_failure(event_name=None, caught_exception=None, response=None, **kw):
    """Every attempt that failed (boto3 then decides whether to retry)."""
    status = response[0].status_code if response and response[0] is not None else None
    if caught_exception is not None or (status is not None and status >= 500):
        with lock:
            failures.append("%s: %s" % (event_name.split(".")[-1],
                                        type(caught_exception).__name__ if caught_exception else status))


def client(attempts=3):
    c = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                     config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": attempts, "mode": "standard"},
                                   connect_timeout=10, read_timeout=120))
    c.meta.events.register("before-send.s3", count_send)
    c.meta.events.register("needs-retry.s3", note_failure)
    return c


def make_file(path, size_mb):
    """Deterministic content: a random MiB, each copy stamped with its index."""
    block = os.urandom(MB)
    md5 = hashlib.md5()
    with open(path, "wb") as f:
        for i in range(size_mb):
            b = i.to_bytes(8, "big") + block[8:]
            f.write(b)
            md5.update(b)
    return md5.hexdigest()


def md5_of_object(c, bucket, key):
    md5 = hashlib.md5()
    body = c.get_object(Bucket=bucket, Key=key)["Body"]
    n = 0
    for chunk in iter(lambda: body.read(MB), b""):
        md5.update(chunk)
        n += len(chunk)
    return md5.hexdigest(), n


def aws_chunked_put(bucket, key, payload):
    """PutObject with an aws-chunked body and a CRC32 trailer, signed by
    botocore's SigV4 with mixed-case header names in a chosen order: the
    stub checks the signature, the framing and the trailer."""
    import base64
    import binascii
    crc = base64.b64encode((binascii.crc32(payload) & 0xffffffff).to_bytes(4, "big")).decode()
    body = b""
    for i in range(0, len(payload), 64 * 1024):
        piece = payload[i:i + 64 * 1024]
        body += b"%x\r\n" % len(piece) + piece + b"\r\n"
    body += b"0\r\nx-amz-checksum-crc32:" + crc.encode() + b"\r\n\r\n"
    u = urllib.parse.urlsplit(endpoint)
    url = "%s/%s/%s" % (endpoint, bucket, key)
    hdrs = {"X-Amz-Meta-Mixed-CASE": "Kept  As  Sent", "Content-Encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(payload)), "X-Amz-Trailer": "x-amz-checksum-crc32",
            "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Length": str(len(body))}
    req = botocore.awsrequest.AWSRequest(method="PUT", url=url, headers=hdrs, data=body)
    botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.putrequest("PUT", "/%s/%s" % (bucket, key), skip_host=True, skip_accept_encoding=True)
    sent = [("Host", req.headers["Host"] if "Host" in req.headers else u.netloc)]
    sent += [(k, v) for k, v in req.headers.items() if k.lower() != "host"]
    for k, v in sent:
        conn.putheader(k, v)
    conn.endheaders(body)
    r = conn.getresponse()
    text = r.read()
    return r.status, text, [k for k, _ in sent]


def small_and_range(c, res):
    """PutObject of 300 KiB read back, and a ranged GET of it (206, Content-Range)."""
    small = os.urandom(300 * 1024)
    c.put_object(Bucket="lab", Key="small", Body=small)
    res["put_small"] = c.get_object(Bucket="lab", Key="small")["Body"].read() == small
    r = c.get_object(Bucket="lab", Key="small", Range="bytes=1000-1999")
    res["range_status"] = r["ResponseMetadata"]["HTTPStatusCode"]
    res["range_ok"] = r["Body"].read() == small[1000:2000] and r["ContentRange"] == "bytes 1000-1999/%d" % len(small)
    return small


def big(size_mb):
    c = client()
    res = {}
    c.create_bucket(Bucket="lab")
    small_and_range(c, res)
    # Multipart upload of size_mb, streamed back and compared
    path = os.path.join(os.environ.get("S3_TMP", "/tmp"), "s3-%d-%d.bin" % (os.getpid(), size_mb))
    try:
        t0 = time.time()
        want = make_file(path, size_mb)
        t1 = time.time()
        c.upload_file(path, "lab", "big", Config=TransferConfig(multipart_threshold=64 * MB, multipart_chunksize=64 * MB,
                                                                 max_concurrency=4))
        t2 = time.time()
        got, n = md5_of_object(c, "lab", "big")
        t3 = time.time()
        res.update(big_mb=size_mb, big_md5_ok=got == want and n == size_mb * MB, upload_s=round(t2 - t1, 1),
                   download_s=round(t3 - t2, 1), make_s=round(t1 - t0, 1))
        with open(path, "rb") as f:
            f.seek(size_mb * MB - 5000)
            tail = f.read()
        r = c.get_object(Bucket="lab", Key="big", Range="bytes=%d-" % (size_mb * MB - 5000))
        res["big_range_status"] = r["ResponseMetadata"]["HTTPStatusCode"]
        res["big_range_ok"] = r["Body"].read() == tail and \
            r["ContentRange"] == "bytes %d-%d/%d" % (size_mb * MB - 5000, size_mb * MB - 1, size_mb * MB)
    finally:
        if os.path.exists(path):
            os.unlink(path)
    res["sends"] = sends
    res["ok"] = all(res[k] for k in ("put_small", "range_ok", "big_md5_ok", "big_range_ok"))
    return res


def signed():
    c = client()
    res = {}
    c.create_bucket(Bucket="lab")
    small = small_and_range(c, res)
    # aws-chunked, signed headers in their case and order
    st, text, names = aws_chunked_put("lab", "chunked", small)
    res["aws_chunked_status"] = st
    res["aws_chunked_sent_headers"] = names
    res["aws_chunked_ok"] = st == 200 and c.get_object(Bucket="lab", Key="chunked")["Body"].read() == small
    # A multipart upload of 3 parts: each UploadPart signed, with Expect: 100-continue
    path = os.path.join(os.environ.get("S3_TMP", "/tmp"), "s3-%d-parts.bin" % os.getpid())
    try:
        want = make_file(path, 12)
        c.upload_file(path, "lab", "parts", Config=TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB,
                                                                   max_concurrency=2))
        got, n = md5_of_object(c, "lab", "parts")
        res["multipart_ok"] = got == want and n == 12 * MB
    finally:
        if os.path.exists(path):
            os.unlink(path)
    res["sends"] = sends
    res["ok"] = all(res[k] for k in ("put_small", "range_ok", "aws_chunked_ok", "multipart_ok"))
    return res


def upload(path, key):
    c = client(attempts=10)
    with open(path, "rb") as f:
        md5 = hashlib.md5()
        for chunk in iter(lambda: f.read(MB), b""):
            md5.update(chunk)
    want = md5.hexdigest()
    try:
        c.create_bucket(Bucket="lab")
    except c.exceptions.ClientError:
        pass
    t0 = time.time()
    err = None
    try:
        c.upload_file(path, "lab", key, Config=TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB,
                                                               max_concurrency=2))
    except Exception as e:  # noqa: BLE001 - reported
        err = "%s: %s" % (type(e).__name__, e)
    t1 = time.time()
    got, n = md5_of_object(c, "lab", key) if err is None else (None, 0)
    return {"ok": err is None and got == want, "error": err, "upload_s": round(t1 - t0, 2), "sends": sends,
            "failed_attempts": failures, "bytes": n}


if op == "big":
    out = big(int(sys.argv[3]))
elif op == "signed":
    out = signed()
elif op == "upload":
    out = upload(sys.argv[3], sys.argv[4])
else:
    sys.exit("unknown operation " + op)
print(json.dumps(out))
sys.exit(0 if out["ok"] else 1)
