"""fcgi.py: a minimal FastCGI client, to talk to latchkeyd's socket
directly where nginx would hide what a test needs to see (nginx buffers a
request body before it sends it; this client can trickle one).

    c = fcgi.Client(sock_path)
    c.begin({"REQUEST_METHOD": "GET", "DOCUMENT_URI": "/projects.json"})
    c.stdin(b"...", delay=0.1, chunk=10)   # optional, slowly
    status, headers, body = c.finish()
"""
import socket
import struct
import time

BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = \
    1, 2, 3, 4, 5, 6, 7
RESPONDER = 1


def _record(kind, content, req_id=1):
    pad = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBx", 1, kind, req_id, len(content), pad) + \
        content + b"\0" * pad


def _length(n):
    return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 1 << 31)


def _params(params):
    out = b""
    for k, v in params.items():
        k, v = k.encode(), v.encode() if isinstance(v, str) else v
        out += _length(len(k)) + _length(len(v)) + k + v
    return out


class Client:
    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)

    def begin(self, params):
        body = struct.pack(">HB5x", RESPONDER, 0)
        data = _record(BEGIN_REQUEST, body)
        p = _params(params)
        for i in range(0, len(p), 65535):
            data += _record(PARAMS, p[i:i + 65535])
        data += _record(PARAMS, b"")
        self.sock.sendall(data)

    def stdin(self, body, chunk=65535, delay=0.0):
        """Send body in chunks of chunk bytes, delay seconds apart."""
        for i in range(0, len(body), chunk):
            self.sock.sendall(_record(STDIN, body[i:i + chunk]))
            if delay:
                time.sleep(delay)

    def finish(self):
        """End stdin, read the response: (status, [(name, value)], body)."""
        self.sock.sendall(_record(STDIN, b""))
        out = b""
        buf = b""
        while True:
            while len(buf) < 8:
                more = self.sock.recv(65536)
                if not more:
                    raise ConnectionError("connection closed mid-response")
                buf += more
            _, kind, _, n, pad = struct.unpack(">BBHHBx", buf[:8])
            while len(buf) < 8 + n + pad:
                more = self.sock.recv(65536)
                if not more:
                    raise ConnectionError("connection closed mid-record")
                buf += more
            content, buf = buf[8:8 + n], buf[8 + n + pad:]
            if kind == STDOUT:
                out += content
            elif kind == END_REQUEST:
                break
        self.sock.close()
        head, _, body = out.partition(b"\r\n\r\n")
        headers = []
        status = 200
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            headers.append((name.strip(), value.strip()))
        return status, headers, body
