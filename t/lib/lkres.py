"""lkres.py: what the resource tests (t/integ/3*.t) share.

Redmine 5.0's shapes of projects, news and issues, field by field and in
order (from shared/redmine-samples/, written down here so the tests do not
depend on that folder), checkers for JSON and XML that report every
difference at once, and the demo data's ways in:

    import lkres
    who = lkres.Who(s)                 # keys of the demo users
    for w in who.all():                # anonymous, alice by 4 ways, ...
        r = w.get(s, "/projects.json")
    lkres.json_list(r, "projects", lkres.PROJECT, "name")  # one TAP test
"""

import re

import lk
import lkhttp
import tap

TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
DATE = r"^\d{4}-\d\d-\d\d$"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'
CHALLENGE = 'Basic realm="Redmine API"'

# Value kinds. A field is (name, kind) or (name, kind, "optional").
INT, STR, BOOL, TIME_K, DATE_K, NUM, REF, STATUS, ARRAY = (
    "int", "str", "bool", "time", "date", "num", "ref", "status", "array")


def nullable(kind):
    return "null|" + kind


PROJECT = [("id", INT), ("name", STR), ("identifier", STR),
           ("description", STR), ("status", INT), ("is_public", BOOL),
           ("inherit_members", BOOL), ("created_on", TIME_K),
           ("updated_on", TIME_K)]
# /projects/ID adds homepage after description (projects_private-proj.json).
PROJECT_SHOW = PROJECT[:4] + [("homepage", STR)] + PROJECT[4:]
NEWS = [("id", INT), ("project", REF), ("author", REF), ("title", STR),
        ("summary", STR), ("description", STR), ("created_on", TIME_K)]
ISSUE = [("id", INT), ("project", REF), ("tracker", REF),
         ("status", STATUS), ("priority", REF), ("author", REF),
         ("assigned_to", REF, "optional"), ("subject", STR),
         ("description", STR), ("start_date", nullable(DATE_K)),
         ("due_date", nullable(DATE_K)), ("done_ratio", INT),
         ("is_private", BOOL), ("estimated_hours", nullable(NUM)),
         ("total_estimated_hours", nullable(NUM)),
         ("created_on", TIME_K), ("updated_on", TIME_K),
         ("closed_on", nullable(TIME_K))]
ISSUE_JOURNALS = ISSUE + [("journals", ARRAY)]
# In XML a journal's id is an attribute: <journal id="1">.
JOURNAL = [("id", INT), ("user", REF), ("notes", STR),
           ("created_on", TIME_K), ("private_notes", BOOL),
           ("details", ARRAY)]


# --- JSON ---------------------------------------------------------------

def _json_value(v, kind, where):
    """Problems of one JSON value (objects as lists of pairs)."""
    if kind.startswith("null|"):
        return [] if v is None else _json_value(v, kind[5:], where)
    isint = isinstance(v, int) and not isinstance(v, bool)
    ok = {
        INT: isint,
        STR: isinstance(v, str),
        BOOL: isinstance(v, bool),
        TIME_K: isinstance(v, str) and re.match(TIME, v) is not None,
        DATE_K: isinstance(v, str) and re.match(DATE, v) is not None,
        NUM: isint or isinstance(v, float),
        ARRAY: isinstance(v, list) and not (
            v and isinstance(v[0], tuple)),
    }.get(kind)
    if kind in (REF, STATUS):
        want = ["id", "name"] + (["is_closed"] if kind == STATUS else [])
        if not isinstance(v, list) or [k for k, _ in v] != want:
            return ["%s: %r is not {%s}" % (where, v, ",".join(want))]
        d = dict(v)
        probs = _json_value(d["id"], INT, where + ".id")
        probs += _json_value(d["name"], STR, where + ".name")
        if kind == STATUS:
            probs += _json_value(d["is_closed"], BOOL, where + ".is_closed")
        return probs
    return [] if ok else ["%s: %r is not %s" % (where, v, kind)]


def json_shape(pairs, spec, where="item"):
    """Problems of a JSON object (a list of pairs) against spec."""
    if not isinstance(pairs, list) or (pairs and not isinstance(
            pairs[0], tuple)):
        return ["%s: not an object: %r" % (where, pairs)]
    keys = [k for k, _ in pairs]
    want = [f[0] for f in spec if len(f) == 2 or f[0] in keys]
    probs = []
    if keys != want:
        probs.append("%s: keys %s, want %s" % (where, keys, want))
    d = dict(pairs)
    for f in spec:
        if f[0] in d:
            probs += _json_value(d[f[0]], f[1], "%s.%s" % (where, f[0]))
    return probs


def plain(v):
    """A json_pairs() value as plain dicts and lists."""
    if isinstance(v, list) and v and isinstance(v[0], tuple):
        return {k: plain(x) for k, x in v}
    if isinstance(v, list) and v == []:
        return []
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def _body_pairs(r, name):
    if r.header("Content-Type") != JSON_TYPE:
        tap.diag("%s: Content-Type %r" % (name, r.header("Content-Type")))
    try:
        return r.json_pairs()
    except ValueError:
        return None


def json_item(r, root, spec, name, status=200):
    """Check a single-object answer {root: {...}}: status, type, shape, as
    one test each. Returns the object as a dict (or {})."""
    tap.is_(r.status, status, "%s: %d" % (name, status))
    doc = _body_pairs(r, name)
    probs = ["not JSON: %r" % r.body[:200]] if doc is None else []
    if doc is not None:
        if [k for k, _ in doc] != [root]:
            probs.append("top-level keys %s" % [k for k, _ in doc])
        else:
            probs += json_shape(doc[0][1], spec, root)
            if root == "issue" and ("journals" in dict(doc[0][1])):
                for i, j in enumerate(dict(doc[0][1])["journals"]):
                    probs += json_shape(j, JOURNAL, "journals[%d]" % i)
    tap.is_(probs, [], "%s: Redmine's JSON shape" % name)
    return plain(doc[0][1]) if doc and not probs else {}


def json_list(r, root, spec, name, status=200):
    """Check a list answer {root: [...], total_count, offset, limit}.
    Returns (items as dicts, {total_count, offset, limit})."""
    tap.is_(r.status, status, "%s: %d" % (name, status))
    doc = _body_pairs(r, name)
    probs = ["not JSON: %r" % r.body[:200]] if doc is None else []
    if doc is not None:
        keys = [k for k, _ in doc]
        if keys != [root, "total_count", "offset", "limit"]:
            probs.append("top-level keys %s" % keys)
        d = dict(doc)
        items = d.get(root)
        if not isinstance(items, list):
            probs.append("%s is not an array" % root)
            items = []
        for i, it in enumerate(items):
            probs += json_shape(it, spec, "%s[%d]" % (root, i))
        for k in ("total_count", "offset", "limit"):
            probs += _json_value(d.get(k), INT, k)
    tap.is_(probs, [], "%s: Redmine's JSON list shape" % name)
    if doc is None or probs:
        return [], {}
    d = dict(doc)
    return [plain(x) for x in d[root]], {
        k: d[k] for k in ("total_count", "offset", "limit")}


# --- XML ----------------------------------------------------------------

def _xml_value(e, kind, where):
    """Problems of one XML element against a value kind."""
    if kind.startswith("null|"):
        if e.text is None and len(e) == 0 and not e.attrib:
            return []
        return _xml_value(e, kind[5:], where)
    if kind in (REF, STATUS):
        want = ["id", "name"] + (["is_closed"] if kind == STATUS else [])
        probs = []
        if list(e.attrib) != want or e.text is not None or len(e):
            probs.append("%s: attributes %s, want %s (and no content)" % (
                where, list(e.attrib), want))
        elif not re.match(r"^\d+$", e.attrib["id"]):
            probs.append("%s: id=%r" % (where, e.attrib["id"]))
        elif kind == STATUS and e.attrib["is_closed"] not in ("true",
                                                                "false"):
            probs.append("%s: is_closed=%r" % (where, e.attrib["is_closed"]))
        return probs
    if kind == ARRAY:
        return [] if e.attrib == {"type": "array"} else [
            "%s: attributes %s, want type=array" % (where, e.attrib)]
    if e.attrib or len(e):
        return ["%s: has attributes or children" % where]
    t = e.text if e.text is not None else ""
    ok = {
        INT: re.match(r"^-?\d+$", t),
        STR: True,
        BOOL: t in ("true", "false"),
        TIME_K: re.match(TIME, t),
        DATE_K: re.match(DATE, t),
        NUM: re.match(r"^-?\d+(\.\d+)?$", t),
    }.get(kind)
    return [] if ok else ["%s: %r is not %s" % (where, t, kind)]


def xml_shape(elem, spec, where=None):
    """Problems of an XML element's children against spec."""
    where = where or elem.tag
    tags = [c.tag for c in elem]
    want = [f[0] for f in spec if len(f) == 2 or f[0] in tags]
    probs = []
    if tags != want:
        probs.append("%s: elements %s, want %s" % (where, tags, want))
        return probs
    for c, f in zip(elem, [f for f in spec if f[0] in tags]):
        probs += _xml_value(c, f[1], "%s.%s" % (where, f[0]))
        if f[0] == "journals":
            for i, j in enumerate(c):
                probs += xml_journal(j, "%s.journals[%d]" % (where, i))
    return probs


def xml_journal(j, where):
    probs = []
    if j.tag != "journal" or list(j.attrib) != ["id"]:
        probs.append("%s: <%s %s>, want <journal id=..>" % (
            where, j.tag, j.attrib))
    return probs + xml_shape(j, [f for f in JOURNAL if f[0] != "id"],
                             where)


def _xml_root(r, name):
    if r.header("Content-Type") != XML_TYPE:
        tap.diag("%s: Content-Type %r" % (name, r.header("Content-Type")))
    if lkhttp.xml_declaration(r.body) != XML_DECL:
        return None
    try:
        return r.xml()
    except Exception:
        return None


def xml_item(r, root, spec, name, status=200):
    """Check a single-object XML answer; returns {tag: text} of its
    children (references as {id, name} dicts), or {}."""
    tap.is_(r.status, status, "%s: %d" % (name, status))
    e = _xml_root(r, name)
    if e is None:
        probs = ["not XML with the declaration: %r" % r.body[:200]]
    elif e.tag != root:
        probs = ["root <%s>, want <%s>" % (e.tag, root)]
    else:
        probs = xml_shape(e, spec)
    tap.is_(probs, [], "%s: Redmine's XML shape" % name)
    return xml_dict(e) if e is not None and not probs else {}


def xml_list(r, root, item, spec, name, status=200):
    """Check an XML list <root total_count offset limit type="array">;
    returns (items as dicts, the root's attributes)."""
    tap.is_(r.status, status, "%s: %d" % (name, status))
    e = _xml_root(r, name)
    if e is None:
        probs = ["not XML with the declaration: %r" % r.body[:200]]
    elif e.tag != root:
        probs = ["root <%s>, want <%s>" % (e.tag, root)]
    else:
        probs = []
        if list(e.attrib) != ["total_count", "offset", "limit", "type"] \
                or e.attrib["type"] != "array":
            probs.append("root attributes %s" % e.attrib)
        for i, c in enumerate(e):
            if c.tag != item:
                probs.append("item %d is <%s>" % (i, c.tag))
            else:
                probs += xml_shape(c, spec, "%s[%d]" % (item, i))
    tap.is_(probs, [], "%s: Redmine's XML list shape" % name)
    if e is None or probs:
        return [], {}
    return [xml_dict(c) for c in e], dict(e.attrib)


def xml_dict(e):
    out = {}
    for c in e:
        if "id" in c.attrib and "name" in c.attrib:
            out[c.tag] = dict(c.attrib)
        elif c.attrib.get("type") == "array":
            out[c.tag] = [dict(xml_dict(j), **j.attrib) for j in c]
        else:
            out[c.tag] = c.text
    return out


def errors_json(r, messages, name):
    """A 422 with exactly these messages, in JSON."""
    tap.is_(r.status, 422, "%s: 422" % name)
    try:
        doc = r.json_pairs()
    except ValueError:
        doc = None
    tap.is_(doc, [("errors", list(messages))],
            "%s: {\"errors\": %s}" % (name, list(messages)))


def errors_xml(r, messages, name):
    """A 422 with exactly these messages, in XML."""
    tap.is_(r.status, 422, "%s: 422" % name)
    e = _xml_root(r, name)
    got = None
    if e is not None:
        got = (e.tag, dict(e.attrib), [(c.tag, c.text) for c in e])
    tap.is_(got, ("errors", {"type": "array"},
                  [("error", m) for m in messages]),
            "%s: <errors type=\"array\"> %s" % (name, list(messages)))


def empty(r, status, name):
    """An empty answer of this status (401/403/404/204)."""
    tap.is_((r.status, r.body), (status, b""), "%s: %d, empty body" % (
        name, status))


# --- who is asking -------------------------------------------------------

class Way:
    """One way of sending one user's credentials (or none)."""

    def __init__(self, label, acts_as, query=None, headers=()):
        self.label = label        # "alice by ?key="
        self.acts_as = acts_as    # login whose rights apply, or None
        self.query = query        # "key=..." to add to the path
        self.headers = list(headers)

    def path(self, path):
        if not self.query:
            return path
        return path + ("&" if "?" in path else "?") + self.query

    def request(self, s, method, path, body=None, ctype=None,
                headers=()):
        h = list(self.headers) + list(headers)
        if ctype:
            h.append(("Content-Type", ctype))
        return s.request(method, self.path(path), headers=h, body=body)

    def get(self, s, path, **kw):
        return self.request(s, "GET", path, **kw)


class Who:
    """The demo users' credentials on stack s, every way in."""

    def __init__(self, s):
        self.keys = {u: s.api_key(u) for u in ("admin", "alice", "bob")}

    def ways(self, login):
        """login's credentials by ?key=, X-Redmine-API-Key, Basic
        login:password and Basic KEY:X."""
        k, pw = self.keys[login], lk.PASSWORDS[login]
        return [
            Way("%s by ?key=" % login, login, query="key=" + k),
            Way("%s by X-Redmine-API-Key" % login, login,
                headers=[("X-Redmine-API-Key", k)]),
            Way("%s by Basic login:password" % login, login,
                headers=[("Authorization", lkhttp.basic(login, pw))]),
            Way("%s by Basic KEY:X" % login, login,
                headers=[("Authorization", lkhttp.basic(k, "X"))]),
        ]

    def one(self, login):
        """login by X-Redmine-API-Key: the quick way for writes."""
        return self.ways(login)[1]

    def anonymous(self):
        return Way("anonymous", None)

    def switched(self):
        """admin switched to alice: alice's rights, two ways in."""
        sw = ("X-Redmine-Switch-User", "alice")
        return [
            Way("admin as alice by X-Redmine-API-Key", "alice",
                headers=[("X-Redmine-API-Key", self.keys["admin"]), sw]),
            Way("admin as alice by Basic login:password", "alice",
                headers=[("Authorization", lkhttp.basic(
                    "admin", lk.PASSWORDS["admin"])), sw]),
        ]

    def all(self):
        """Everyone: anonymous, alice (member of private-proj), bob (no
        memberships), admin, each every way, and admin switched to
        alice."""
        return ([self.anonymous()] + self.ways("alice") + self.ways("bob") +
                self.ways("admin") + self.switched())


def sees_private(way):
    """Does this way see private-proj (a member or an admin)?"""
    return way.acts_as in ("alice", "admin")


def denied(way):
    """The status for an object this way may not see: 401 for anonymous
    (with the Basic challenge), else 403."""
    return 401 if way.acts_as is None else 403
