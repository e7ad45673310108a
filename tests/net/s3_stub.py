#!/usr/bin/python3
"""A small S3 server that checks what the real one the tests use cannot:
   s3_stub.py ADDR PORT DATADIR LOG
The namespace tests run S3 traffic against s3rver (npm, pinned in
bench/clients), which does not verify SigV4 signatures (its
lib/middleware/authentication.js: "Signature version 4 calculation is
unimplemented"; a request whose signed header was changed is stored, 200),
stores an aws-chunked body as it arrives without decoding it, and does not
say whether a request carried "Expect: 100-continue" (node answers it).
This stub checks what a proxy in front of S3 must leave alone, and refuses
what it did not:
  - every request is SigV4-signed (access key and secret "S3RVER", s3rver's):
    the signature is recomputed from the request as received (method, path,
    query, the signed headers' names and values, Host included), 403 if it
    does not match;
  - x-amz-content-sha256 with a hash: the body must hash to it (400);
  - Content-Encoding: aws-chunked: the framing (with or without chunk
    signatures, with a trailer) is decoded, its length must equal
    x-amz-decoded-content-length and a CRC32 trailer must match (400);
  - Expect: 100-continue is answered "100 Continue" before the body is read;
  - GET with Range: bytes=A-B answers 206 and Content-Range.
Operations: PUT bucket, PUT object, POST ?uploads, PUT ?partNumber&uploadId,
POST ?uploadId (complete), GET/HEAD object, GET /minio/health/live.  Objects
live in DATADIR, so two stubs on one DATADIR behave as MinIO in distributed
mode (either serves every object).  One JSON line per request goes to LOG."""
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import shutil
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADDR, PORT, DATA, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ACCESS, SECRET = "S3RVER", "S3RVER"  # s3rver's default account, so one client fits both
loglock = threading.Lock()
os.makedirs(DATA, exist_ok=True)


def log(rec):
    with loglock, open(LOG, "a") as f:
        f.write(json.dumps(rec) + "\n")


def uri_encode(s, slash=True):
    return urllib.parse.quote(s, safe="-_.~" + ("/" if not slash else ""))


def canonical_query(q):
    pairs = urllib.parse.parse_qsl(q, keep_blank_values=True)
    enc = sorted((uri_encode(k), uri_encode(v)) for k, v in pairs)
    return "&".join("%s=%s" % kv for kv in enc)


def sigv4_check(method, path, query, headers):
    """None if the signature matches, else why not."""
    auth = headers.get("authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, ?"
                 r"SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$", auth)
    if not m:
        return "no SigV4 Authorization header"
    key, day, region, signed, sig = m.groups()
    if key != ACCESS:
        return "unknown access key"
    names = signed.split(";")
    if "host" not in names:
        return "Host is not signed"
    canon_headers = ""
    for n in names:
        if n not in headers:
            return "signed header %s missing" % n
        v = " ".join(headers[n].strip().split())
        canon_headers += "%s:%s\n" % (n, v)
    payload = headers.get("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
    creq = "\n".join([method, path, canonical_query(query), canon_headers, signed, payload])
    scope = "%s/%s/s3/aws4_request" % (day, region)
    sts = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""), scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + SECRET).encode()
    for part in (day, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(want, sig) else "SignatureDoesNotMatch"


def decode_aws_chunked(raw):
    """(payload, trailers) of an aws-chunked body, or raise ValueError."""
    out, pos, trailers = bytearray(), 0, {}
    while True:
        eol = raw.index(b"\r\n", pos)
        size = int(raw[pos:eol].split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            break
        out += raw[pos:pos + size]
        if raw[pos + size:pos + size + 2] != b"\r\n":
            raise ValueError("chunk not followed by CRLF")
        pos += size + 2
    for line in raw[pos:].split(b"\r\n"):
        if b":" in line:
            k, v = line.split(b":", 1)
            trailers[k.decode().strip().lower()] = v.decode().strip()
    return bytes(out), trailers


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sent_continue = False

    def log_message(self, *a):
        pass

    def handle_expect_100(self):
        self.sent_continue = True
        return super().handle_expect_100()

    def reply(self, code, body=b"", headers=None, rec=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        r = {"t": time.time(), "port": PORT, "method": self.command, "path": self.path, "status": code,
             "header_names": [k for k, _ in self.headers.items()], "expect": self.headers.get("Expect"),
             "sent_continue": self.sent_continue, "te": self.headers.get("Transfer-Encoding"),
             "ce": self.headers.get("Content-Encoding"), "cl": self.headers.get("Content-Length")}
        r.update(rec or {})
        log(r)
        self.sent_continue = False

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n) if n else b""

    def handle_one(self):
        u = urllib.parse.urlsplit(self.path)
        path, query = u.path, u.query
        if path == "/minio/health/live":
            return self.reply(200)
        h = {k.lower(): v for k, v in self.headers.items()}
        why = sigv4_check(self.command, path, query, h)
        body = self.read_body() if self.command in ("PUT", "POST") else b""
        if why:
            return self.reply(403, ("<Error><Code>%s</Code></Error>" % why).encode(), rec={"error": why})
        sha = h.get("x-amz-content-sha256", "")
        rec = {"body_len": len(body)}
        if re.fullmatch(r"[0-9a-f]{64}", sha) and hashlib.sha256(body).hexdigest() != sha:
            return self.reply(400, b"<Error><Code>XAmzContentSHA256Mismatch</Code></Error>", rec={"error": "sha256"})
        if "aws-chunked" in h.get("content-encoding", ""):
            try:
                body, trailers = decode_aws_chunked(body)
            except (ValueError, IndexError) as e:
                return self.reply(400, b"<Error><Code>IncompleteBody</Code></Error>", rec={"error": str(e)})
            if str(len(body)) != h.get("x-amz-decoded-content-length"):
                return self.reply(400, b"<Error><Code>IncompleteBody</Code></Error>", rec={"error": "decoded length"})
            crc = trailers.get("x-amz-checksum-crc32")
            if crc is not None and crc != base64.b64encode((binascii.crc32(body) & 0xffffffff).to_bytes(4, "big")).decode():
                return self.reply(400, b"<Error><Code>BadDigest</Code></Error>", rec={"error": "crc32"})
            rec["aws_chunked"] = True
            rec["decoded_len"] = len(body)
        parts = [p for p in path.split("/") if p]
        q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if len(parts) == 1 and self.command == "PUT":
            os.makedirs(os.path.join(DATA, parts[0]), exist_ok=True)
            return self.reply(200, rec=rec)
        if len(parts) < 2:
            return self.reply(400, b"<Error><Code>InvalidRequest</Code></Error>", rec=rec)
        bucket, key = parts[0], "/".join(parts[1:])
        obj = os.path.join(DATA, bucket, key.replace("/", "%2F"))
        if self.command == "POST" and "uploads" in q:
            up = uuid.uuid4().hex
            os.makedirs(os.path.join(DATA, "uploads", up))
            xml = "<InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId></InitiateMultipartUploadResult>" % (bucket, key, up)
            return self.reply(200, xml.encode(), {"Content-Type": "application/xml"}, rec)
        if self.command == "PUT" and "uploadId" in q:
            d = os.path.join(DATA, "uploads", q["uploadId"])
            if not os.path.isdir(d):
                return self.reply(404, b"<Error><Code>NoSuchUpload</Code></Error>", rec=rec)
            tmp = os.path.join(d, "part.%s.%s" % (q["partNumber"], uuid.uuid4().hex))
            with open(tmp, "wb") as f:
                f.write(body)
            os.rename(tmp, os.path.join(d, "part.%05d" % int(q["partNumber"])))
            return self.reply(200, headers={"ETag": '"%s"' % hashlib.md5(body).hexdigest()}, rec=rec)
        if self.command == "POST" and "uploadId" in q:
            d = os.path.join(DATA, "uploads", q["uploadId"])
            nums = [int(n) for n in re.findall(rb"<PartNumber>(\d+)</PartNumber>", body)]
            md5s = b""
            tmp = obj + ".tmp." + uuid.uuid4().hex
            with open(tmp, "wb") as out:
                for n in nums:
                    with open(os.path.join(d, "part.%05d" % n), "rb") as f:
                        m = hashlib.md5()
                        while True:
                            b = f.read(1 << 20)
                            if not b:
                                break
                            m.update(b)
                            out.write(b)
                        md5s += m.digest()
            os.rename(tmp, obj)
            shutil.rmtree(d, ignore_errors=True)
            etag = '"%s-%d"' % (hashlib.md5(md5s).hexdigest(), len(nums))
            xml = "<CompleteMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><ETag>%s</ETag></CompleteMultipartUploadResult>" % (bucket, key, etag)
            return self.reply(200, xml.encode(), {"Content-Type": "application/xml"}, dict(rec, parts=len(nums)))
        if self.command == "PUT":
            tmp = obj + ".tmp." + uuid.uuid4().hex
            with open(tmp, "wb") as f:
                f.write(body)
            os.rename(tmp, obj)
            return self.reply(200, headers={"ETag": '"%s"' % hashlib.md5(body).hexdigest()}, rec=rec)
        if self.command in ("GET", "HEAD"):
            if not os.path.exists(obj):
                return self.reply(404, b"<Error><Code>NoSuchKey</Code></Error>", rec=rec)
            size = os.path.getsize(obj)
            start, end, code = 0, size - 1, 200
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", h.get("range", ""))
            hdr = {"Accept-Ranges": "bytes"}
            if m:
                start, code = int(m.group(1)), 206
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                hdr["Content-Range"] = "bytes %d-%d/%d" % (start, end, size)
            hdr["Content-Length"] = str(end - start + 1)
            self.send_response(code)
            for k, v in hdr.items():
                self.send_header(k, v)
            self.end_headers()
            if self.command == "GET":
                with open(obj, "rb") as f:
                    f.seek(start)
                    left = end - start + 1
                    while left > 0:
                        b = f.read(min(left, 1 << 20))
                        if not b:
                            break
                        self.wfile.write(b)
                        left -= len(b)
            log({"t": time.time(), "port": PORT, "method": self.command, "path": self.path, "status": code,
                 "range": h.get("range")})
            self.sent_continue = False
            return None
        return self.reply(405, rec=rec)

    do_GET = do_HEAD = do_PUT = do_POST = handle_one


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server((ADDR, PORT), H).serve_forever()
