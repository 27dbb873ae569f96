"""lkhttp.py: raw HTTP requests for the integration tests (http.client only).

Headers are sent exactly as given (a list of (name, value) pairs, so one
header can be sent twice) and come back as a list too, so a test can see a
header that appears twice. Paths and query strings are sent as written: the
tests decide what is encoded and what is not.

    import lkhttp as h   # (t/lib on sys.path: see lk.py)
    r = h.request(port, "GET", "/users/current.json",
                  [("Authorization", h.basic("alice", "alice-pass-123"))])
    r.status, r.header("Content-Type"), r.json(), r.xml()
"""

import base64
import http.client
import json
import xml.etree.ElementTree as ET


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status      # int
        self.reason = reason
        self.headers = headers    # [(name, value)] in the order received
        self.body = body          # bytes

    def headers_all(self, name):
        """Every value of a header (names compare case-insensitively)."""
        n = name.lower()
        return [v for k, v in self.headers if k.lower() == n]

    def header(self, name):
        """The first value of a header, or None."""
        vals = self.headers_all(name)
        return vals[0] if vals else None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        """The body as JSON, objects as dicts."""
        return json.loads(self.body.decode("utf-8"))

    def json_pairs(self):
        """The body as JSON with every object as a list of (key, value)
        pairs, so key order and duplicate keys can be checked."""
        return json.loads(self.body.decode("utf-8"),
                          object_pairs_hook=lambda pairs: pairs)

    def xml(self):
        """The body as an ElementTree root element."""
        return ET.fromstring(self.body)

    def __repr__(self):
        return "<Response %d %r %r>" % (self.status, self.headers,
                                        self.body[:200])


def basic(user, password):
    """An Authorization value for Basic user:password (RFC 7617)."""
    raw = ("%s:%s" % (user, password)).encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def request(port, method, path, headers=(), body=None, host="127.0.0.1",
            timeout=15):
    """Send one request on a new connection; return a Response.

    headers: a dict or a list of (name, value); Host is added when absent.
    body: bytes or str; Content-Length is set for it.
    """
    if isinstance(headers, dict):
        headers = list(headers.items())
    headers = list(headers)
    if isinstance(body, str):
        body = body.encode("utf-8")
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True,
                        skip_accept_encoding=True)
        names = {k.lower() for k, _ in headers}
        if "host" not in names:
            conn.putheader("Host", "%s:%d" % (host, port))
        for k, v in headers:
            conn.putheader(k, v)
        if body is not None and "content-length" not in names:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, resp.reason, resp.getheaders(), data)
    finally:
        conn.close()


def xml_children(elem):
    """[(tag, text)] of an element's children, in document order; text is
    None for an empty element."""
    return [(c.tag, c.text) for c in elem]


def xml_declaration(body):
    """The XML declaration at the start of body (bytes), or None."""
    if body.startswith(b"<?xml"):
        end = body.find(b"?>")
        if end > 0:
            return body[:end + 2].decode("ascii", "replace")
    return None
