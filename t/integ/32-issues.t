#!/usr/bin/python3
# /issues (GET with filters, POST), /projects/ID/issues and /issues/ID
# (GET with include=journals, PUT with notes, DELETE), JSON and XML, by
# everyone and every way in (issue 5): visibility, Redmine's shapes and
# order, filters and pagination, 201 with Location, notes as journals of
# the acting user (the switched-to user for an admin), roles, 401/403/404,
# 422 with Redmine's messages and 400 for malformed bodies.
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import lkres as R  # noqa: E402
import tap  # noqa: E402

JSON = "application/json"
XML = "application/xml"

s = lk.stack()
who = R.Who(s)
admin, alice, bob = who.one("admin"), who.one("alice"), who.one("bob")


def sql_ids(where=""):
    out = s.psql("SELECT i.id FROM issues i JOIN projects p ON "
                 "p.id = i.project_id %s ORDER BY i.id DESC" % where)
    return [int(x) for x in out.split()]


def user_id(login):
    return int(s.psql("SELECT id FROM users WHERE login = '%s'" % login))


PUB = sql_ids("WHERE p.identifier = 'public-proj'")
PRIV = sql_ids("WHERE p.identifier = 'private-proj'")
ALL = sql_ids()
ALICE = user_id("alice")
ASSIGNED = sql_ids("WHERE i.assigned_to_id = %d" % ALICE)
tap.is_((len(PUB), len(PRIV), len(ASSIGNED)), (2, 2, 1),
        "demo data: two issues in each project, one assigned to alice")

# --- reading: the list ----------------------------------------------------------

for w in who.all():
    want = ALL if R.sees_private(w) else PUB
    name = "%s: /issues.json" % w.label
    items, page = R.json_list(w.get(s, "/issues.json"), "issues", R.ISSUE,
                              name)
    tap.is_([i.get("id") for i in items], want,
            name + ": the visible issues, newest first")
    tap.is_(page, {"total_count": len(want), "offset": 0, "limit": 25},
            name + ": total_count, offset, limit")
    name = "%s: /issues.xml" % w.label
    items, attrs = R.xml_list(w.get(s, "/issues.xml"), "issues", "issue",
                              R.ISSUE, name)
    tap.is_([int(i.get("id", 0)) for i in items], want, name + ": ids")
    tap.is_(attrs.get("total_count"), str(len(want)), name + ": total_count")
    for proj, ids in (("public-proj", PUB), ("private-proj", PRIV)):
        for path in ("/issues.json?project_id=%s" % proj,
                     "/projects/%s/issues.json" % proj):
            name = "%s: %s" % (w.label, path)
            r = w.get(s, path)
            if proj == "private-proj" and not R.sees_private(w):
                R.empty(r, R.denied(w), name)
                continue
            items, _ = R.json_list(r, "issues", R.ISSUE, name)
            tap.is_([i.get("id") for i in items], ids, name + ": ids")

items, _ = R.json_list(admin.get(s, "/issues.json"), "issues", R.ISSUE,
                       "admin: values")
byid = {i["id"]: i for i in items}
tap.is_(byid.get(ASSIGNED[0], {}).get("assigned_to"),
        {"id": ALICE, "name": "Alice Member"},
        "assigned_to: {id, name} when set")
tap.ok(all("assigned_to" not in byid[i] for i in byid if i != ASSIGNED[0]),
       "assigned_to: absent when not set")
first = byid.get(PUB[-1], {})
tap.is_({k: first.get(k) for k in ("tracker", "status", "priority",
                                    "subject", "done_ratio", "is_private")},
        {"tracker": {"id": 1, "name": "Bug"},
         "status": {"id": 1, "name": "New", "is_closed": False},
         "priority": {"id": 2, "name": "Normal"}, "subject": "Public bug",
         "done_ratio": 0, "is_private": False},
        "tracker, status (with is_closed), priority, subject as loaded")

# Filters.
cases = [
    ("?project_id=public-proj", PUB),
    ("?status_id=open", ALL), ("?status_id=closed", []),
    ("?status_id=*", ALL), ("?status_id=1", ALL), ("?status_id=2|5", []),
    ("?assigned_to_id=%d" % ALICE, ASSIGNED),
    ("?assigned_to_id=*", ASSIGNED),
    ("?assigned_to_id=!*", [i for i in ALL if i not in ASSIGNED]),
    ("?project_id=private-proj&assigned_to_id=me", []),
    ("?limit=1", ALL[:1]), ("?offset=1&limit=2", ALL[1:3]),
    ("?offset=10", []),
]
for q, want in cases:
    items, page = R.json_list(admin.get(s, "/issues.json" + q), "issues",
                              R.ISSUE, "admin: /issues.json" + q)
    tap.is_([i.get("id") for i in items], want, "/issues.json%s: %s" %
            (q, want))
items, page = R.json_list(admin.get(s, "/issues.json?offset=1&limit=2"),
                          "issues", R.ISSUE, "a page")
tap.is_(page, {"total_count": len(ALL), "offset": 1, "limit": 2},
        "a page: total_count counts all, offset and limit as asked")
items, _ = R.json_list(alice.get(s, "/issues.json?assigned_to_id=me"),
                       "issues", R.ISSUE, "alice: assigned_to_id=me")
tap.is_([i["id"] for i in items], ASSIGNED, "alice: assigned_to_id=me")
items, _ = R.json_list(s.get("/issues.json?assigned_to_id=me"), "issues",
                       R.ISSUE, "anonymous: assigned_to_id=me")
tap.is_(items, [], "anonymous: assigned_to_id=me is nothing")
R.errors_json(admin.get(s, "/issues.json?status_id=abc"),
              ["Status is invalid"], "status_id=abc")
R.errors_xml(admin.get(s, "/issues.xml?assigned_to_id=someone"),
             ["Assignee is invalid"], "assigned_to_id=someone (XML)")
for q in ("?project_id=a&project_id=b", "?status_id[]=1",
          "?project_id=%FF"):
    R.empty(admin.get(s, "/issues.json" + q), 400, "/issues.json%s" % q)
R.empty(admin.get(s, "/issues.json?project_id=nope"), 404,
        "project_id=nope: 404")

# --- reading: one issue ------------------------------------------------------------

for w in who.all():
    for iid in (PUB[0], PRIV[0]):
        for fmt in ("json", "xml"):
            for q in ("", "?include=journals"):
                path = "/issues/%d.%s%s" % (iid, fmt, q)
                name = "%s: %s" % (w.label, path)
                r = w.get(s, path)
                spec = R.ISSUE_JOURNALS if q else R.ISSUE
                if iid in PRIV and not R.sees_private(w):
                    R.empty(r, R.denied(w), name)
                elif fmt == "json":
                    i = R.json_item(r, "issue", spec, name)
                    tap.is_(i.get("id"), iid, name + ": id")
                else:
                    i = R.xml_item(r, "issue", spec, name)
                    tap.is_(i.get("id"), str(iid), name + ": id")
for w in (who.anonymous(), bob, admin):
    for path in ("/issues/999999.json", "/issues/abc.xml", "/issues/0.json",
                 "/issues/-1.json", "/issues/1e3.json"):
        R.empty(w.get(s, path), 404, "%s: %s" % (w.label, path))
r = s.get("/issues/%d.xml?include=journals" % PUB[0])
tap.like(r.text, r'<journals type="array"></journals>',
         "no journals: <journals type=\"array\"></journals> as Redmine")
r = s.get("/issues/%d.json?include=attachments,journals" % PUB[0])
tap.is_(r.json()["issue"].get("journals"), [],
        "include=attachments,journals includes journals")

# --- creating ------------------------------------------------------------------


def create(w, fields, fmt="json", ctype=JSON, path="/issues", headers=()):
    body = fields if isinstance(fields, str) else json.dumps(
        {"issue": fields})
    return w.request(s, "POST", "%s.%s" % (path, fmt), body=body,
                     ctype=ctype, headers=headers)


def location_of(r, iid, fmt="json"):
    return "http://127.0.0.1:%d/issues/%d.%s" % (s.http_port, iid, fmt)


made = []
for w in who.ways("alice") + who.switched() + who.ways("admin"):
    r = create(w, {"project_id": "private-proj",
                   "subject": "Made by " + w.label})
    i = R.json_item(r, "issue", R.ISSUE, "%s: POST /issues.json" % w.label,
                    status=201)
    made.append(i.get("id"))
    tap.is_(r.header("Location"), location_of(r, i.get("id")),
            "%s: Location is the new issue's URL" % w.label)
    tap.is_(i.get("author", {}).get("name"),
            "Ada Admin" if w.acts_as == "admin" else "Alice Member",
            "%s: the author is the acting user" % w.label)
tap.is_(sorted(sql_ids("WHERE i.id > %d" % ALL[0])), sorted(made),
        "one issue per request")
i = R.json_item(alice.get(s, "/issues/%d.json" % made[0]), "issue", R.ISSUE,
                "alice reads her new issue")
tap.is_({k: i.get(k) for k in ("project", "tracker", "status", "priority",
                                "description", "done_ratio", "closed_on")},
        {"project": {"id": i.get("project", {}).get("id"),
                     "name": "Private project"},
         "tracker": {"id": 1, "name": "Bug"},
         "status": {"id": 1, "name": "New", "is_closed": False},
         "priority": {"id": 2, "name": "Normal"}, "description": "",
         "done_ratio": 0, "closed_on": None},
        "Redmine's defaults: first tracker and status, default priority")

r = create(alice, "<issue><project_id>private-proj</project_id>"
           "<subject>From XML</subject><tracker_id>2</tracker_id>"
           "<status_id>5</status_id><priority_id>4</priority_id>"
           "<assigned_to_id>%d</assigned_to_id><done_ratio>40</done_ratio>"
           "<description>x &lt; y</description></issue>" % ALICE,
           fmt="xml", ctype=XML)
i = R.xml_item(r, "issue", R.ISSUE, "alice: POST /issues.xml (XML body)",
               status=201)
tap.is_(r.header("Location"), location_of(r, int(i.get("id", 0)), "xml"),
        "XML: Location ends in .xml")
tap.is_({k: i.get(k) for k in ("subject", "tracker", "status", "priority",
                                "assigned_to", "done_ratio",
                                "description")},
        {"subject": "From XML", "tracker": {"id": "2", "name": "Feature"},
         "status": {"id": "5", "name": "Closed", "is_closed": "true"},
         "priority": {"id": "4", "name": "Urgent"},
         "assigned_to": {"id": str(ALICE), "name": "Alice Member"},
         "done_ratio": "40", "description": "x < y"},
        "XML: every field as sent")
tap.like(i.get("closed_on") or "", R.TIME, "created closed: closed_on set")
xml_issue = int(i.get("id", 0))

r = create(bob, {"subject": "Bob's report"},
           path="/projects/public-proj/issues")
i = R.json_item(r, "issue", R.ISSUE, "bob (non-member): POST "
                "/projects/public-proj/issues.json", status=201)
bob_issue = i.get("id")
tap.is_(i.get("project", {}).get("name"), "Public project",
        "the path's project")
r = create(bob, {"subject": "no project in the body"},
           path="/projects/public-proj/issues")
tap.is_(r.status, 201, "POST /projects/ID/issues without project_id: 201")
r = create(bob, {"subject": "custom host", "project_id": "public-proj"},
           headers=[("Host", "tracker.example.test:8443")])
tap.like(r.header("Location") or "",
         r"^http://tracker\.example\.test:8443/issues/\d+\.json$",
         "Location uses the Host header as sent, port included")

for w in [who.anonymous()] + who.ways("bob"):
    r = create(w, {"project_id": "private-proj", "subject": "x"})
    R.empty(r, R.denied(w), "%s: POST an issue into private-proj" % w.label)
r = create(who.anonymous(), {"project_id": "public-proj", "subject": "x"})
R.empty(r, 401, "anonymous: POST an issue into public-proj")
tap.is_(r.headers_all("WWW-Authenticate"), [R.CHALLENGE],
        "anonymous: with the Basic challenge")
R.empty(create(who.anonymous(), "{"), 401,
        "anonymous: refused before the body is read")

# Validation: every message at once, Redmine's words.
cases = [
    ("no subject", {"project_id": "public-proj"},
     ["Subject cannot be blank"]),
    ("blank subject", {"project_id": "public-proj", "subject": " \t"},
     ["Subject cannot be blank"]),
    ("no project", {"subject": "s"}, ["Project cannot be blank"]),
    ("unknown project", {"project_id": "nope", "subject": "s"},
     ["Project is invalid"]),
    ("subject of 256", {"project_id": "public-proj", "subject": "s" * 256},
     ["Subject is too long (maximum is 255 characters)"]),
    ("unknown tracker", {"project_id": "public-proj", "subject": "s",
                         "tracker_id": 99}, ["Tracker is invalid"]),
    ("unknown status", {"project_id": "public-proj", "subject": "s",
                        "status_id": 99}, ["Status is invalid"]),
    ("unknown priority", {"project_id": "public-proj", "subject": "s",
                          "priority_id": 99}, ["Priority is invalid"]),
    ("huge ids", {"project_id": "public-proj", "subject": "s",
                  "tracker_id": 999999999999999999,
                  "status_id": "99999999999",
                  "priority_id": 2147483648}, ["Tracker is invalid",
                                               "Status is invalid",
                                               "Priority is invalid"]),
    ("ids not numbers", {"project_id": "public-proj", "subject": "s",
                         "tracker_id": "abc", "status_id": -1,
                         "priority_id": [1]},
     ["Tracker is invalid", "Status is invalid", "Priority is invalid"]),
    ("assignee not a member", {"project_id": "private-proj", "subject": "s",
                               "assigned_to_id": user_id("bob")},
     ["Assignee is invalid"]),
    ("assignee unknown", {"project_id": "private-proj", "subject": "s",
                          "assigned_to_id": 999999},
     ["Assignee is invalid"]),
    ("done_ratio 101", {"project_id": "public-proj", "subject": "s",
                        "done_ratio": 101},
     ["% Done is not included in the list"]),
    ("subject a list", {"project_id": "public-proj", "subject": ["s"]},
     ["Subject is invalid"]),
]
count = len(sql_ids())
for label, fields, messages in cases:
    R.errors_json(create(admin, fields), messages, "POST issue, " + label)
R.errors_xml(create(admin, "<issue><project_id>public-proj</project_id>"
                    "</issue>", fmt="xml", ctype=XML),
             ["Subject cannot be blank"], "POST issue in XML, no subject")
tap.is_(len(sql_ids()), count, "no issue was created by an invalid body")
for label, body, ctype in [
        ("truncated JSON", '{"issue": {"subject": "s"', JSON),
        ("wrong root", '{"news": {"subject": "s"}}', JSON),
        ("issue a string", '{"issue": "s"}', JSON),
        ("too deep", '{"issue": ' + '{"a": ' * 20 + '1' + '}' * 21, JSON),
        ("malformed XML", "<issue><subject>s</issue>", XML),
        ("XML entity", '<?xml version="1.0"?><!DOCTYPE issue [<!ENTITY e '
         'SYSTEM "file:///etc/passwd">]><issue><subject>&e;</subject>'
         '</issue>', XML),
        ("XML repeated element",
         "<issue><subject>a</subject><subject>b</subject></issue>", XML)]:
    R.empty(create(admin, body, ctype=ctype), 400, "POST issue, " + label)
r = create(admin, {"subject": "s"}, ctype="text/plain")
tap.is_(r.status, 415, "POST issue as text/plain: 415")

# --- updating: notes and fields --------------------------------------------------


def put(w, iid, fields, fmt="json", ctype=JSON):
    body = fields if isinstance(fields, str) else json.dumps(
        {"issue": fields})
    return w.request(s, "PUT", "/issues/%d.%s" % (iid, fmt), body=body,
                     ctype=ctype)


def journals(iid):
    i = admin.get(s, "/issues/%d.json?include=journals" % iid).json()
    return [(j["user"]["name"], j["notes"]) for j in i["issue"]["journals"]]


target = PUB[-1]
for w in who.ways("bob"):
    R.empty(put(w, target, {"notes": "Note by " + w.label}), 204,
            "%s (non-member): PUT notes on a public issue" % w.label)
    R.empty(put(w, target, {"subject": "Bob edits"}), 403,
            "%s (non-member): PUT subject: 403" % w.label)
    R.empty(put(w, target, {"notes": "n", "status_id": 2}), 403,
            "%s (non-member): notes with a field: 403" % w.label)
tap.is_(journals(target), [("Bob Outsider", "Note by " + w.label)
                           for w in who.ways("bob")],
        "bob's notes are journals of bob, in order")
R.empty(put(who.anonymous(), target, {"notes": "x"}), 401,
        "anonymous: PUT notes: 401")
R.empty(put(bob, PRIV[0], {"notes": "x"}), 403,
        "bob: PUT notes on a private issue: 403")
R.empty(put(admin, 999999, {"notes": "x"}), 404, "PUT /issues/999999: 404")

for w in who.switched():
    R.empty(put(w, PRIV[0], {"notes": "Switched: " + w.label}), 204,
            "%s: PUT notes" % w.label)
tap.is_(journals(PRIV[0]), [("Alice Member", "Switched: " + w.label)
                            for w in who.switched()],
        "an admin switched to alice writes journals as alice")

r = put(alice, PRIV[0], {"subject": "Renamed", "status_id": 5,
                         "priority_id": 3, "tracker_id": 3,
                         "done_ratio": "100", "description": "new text",
                         "assigned_to_id": "", "notes": "Closing it"})
R.empty(r, 204, "alice (contributor): PUT every field with notes")
i = R.json_item(alice.get(s, "/issues/%d.json?include=journals" % PRIV[0]),
                "issue", R.ISSUE_JOURNALS, "alice reads it back")
tap.is_({k: i.get(k) for k in ("subject", "status", "priority", "tracker",
                                "done_ratio", "description")},
        {"subject": "Renamed",
         "status": {"id": 5, "name": "Closed", "is_closed": True},
         "priority": {"id": 3, "name": "High"},
         "tracker": {"id": 3, "name": "Support"}, "done_ratio": 100,
         "description": "new text"}, "every field changed")
tap.ok("assigned_to" not in i, "assigned_to_id \"\" unassigns")
tap.like(i.get("closed_on") or "", R.TIME, "closing sets closed_on")
tap.is_((i.get("journals") or [{}])[-1].get("notes"), "Closing it",
        "the notes are the last journal")
tap.is_((i.get("journals") or [{}])[-1].get("details"), [],
        "details: []")
items, _ = R.json_list(alice.get(s, "/issues.json?status_id=closed"),
                       "issues", R.ISSUE, "closed issues")
tap.ok(PRIV[0] in [x["id"] for x in items], "now among status_id=closed")
R.empty(put(alice, PRIV[0], {"assigned_to_id": ALICE}), 204,
        "alice: assign to herself")
R.empty(put(alice, PRIV[0], {"assigned_to_id": None}), 204,
        "alice: unassign with null")
tap.ok("assigned_to" not in alice.get(s, "/issues/%d.json" % PRIV[0])
       .json()["issue"], "null unassigns")
R.empty(put(alice, PRIV[0], {}), 204, "PUT with nothing: 204")

r = put(alice, PRIV[0], "<issue><notes>In XML</notes></issue>", fmt="xml",
        ctype=XML)
R.empty(r, 204, "PUT /issues/ID.xml with an XML body")
r = alice.get(s, "/issues/%d.xml?include=journals" % PRIV[0])
i = R.xml_item(r, "issue", R.ISSUE_JOURNALS, "journals in XML")
tap.is_([j.get("notes") for j in i.get("journals", [])][-1:], ["In XML"],
        "XML: the new journal")
tap.ok(all(j.get("id", "").isdigit() for j in i.get("journals", [])),
       "XML: <journal id=\"..\">")

cases = [
    ("blank subject", {"subject": ""}, ["Subject cannot be blank"]),
    ("unknown status", {"status_id": 99}, ["Status is invalid"]),
    ("unknown tracker and priority", {"tracker_id": 99, "priority_id": 0},
     ["Tracker is invalid", "Priority is invalid"]),
    ("assignee not a member", {"assigned_to_id": user_id("bob")},
     ["Assignee is invalid"]),
    ("done_ratio -1", {"done_ratio": -1},
     ["% Done is not included in the list"]),
    ("done_ratio text", {"done_ratio": "half"},
     ["% Done is not included in the list"]),
]
for label, fields, messages in cases:
    R.errors_json(put(alice, PRIV[1], fields), messages,
                  "PUT issue, " + label)
R.errors_xml(put(alice, PRIV[1], "<issue><subject/></issue>", fmt="xml",
                 ctype=XML), ["Subject cannot be blank"],
             "PUT issue in XML, empty subject")
R.empty(put(alice, PRIV[1], '{"issue": [1]}'), 400, "PUT issue, malformed")

# Roles: a viewer views only; a manager also deletes.
s.psql("INSERT INTO members (project_id, user_id, role) SELECT p.id, u.id, "
       "'viewer' FROM projects p, users u WHERE p.identifier = "
       "'private-proj' AND u.login = 'bob'")
i = R.json_item(bob.get(s, "/issues/%d.json" % PRIV[1]), "issue", R.ISSUE,
                "bob as viewer reads a private issue")
R.empty(put(bob, PRIV[1], {"notes": "x"}), 403, "bob as viewer: notes: 403")
R.empty(create(bob, {"project_id": "private-proj", "subject": "x"}), 403,
        "bob as viewer: create: 403")
R.empty(bob.request(s, "DELETE", "/issues/%d.json" % PRIV[1]), 403,
        "bob as viewer: delete: 403")

# Private issues: only admins, the author, the assignee and managers.
s.psql("UPDATE issues SET is_private = true WHERE id = %d" % PUB[0])
for w, status in ((who.anonymous(), 401), (bob, 403), (alice, 403)):
    R.empty(w.get(s, "/issues/%d.json" % PUB[0]), status,
            "%s: a private issue of public-proj: %d" % (w.label, status))
    r = w.get(s, "/issues.json?project_id=public-proj")
    tap.ok(r.status == 200 and PUB[0] not in
           [x["id"] for x in r.json()["issues"]],
           "%s: not in the list" % w.label)
i = R.json_item(admin.get(s, "/issues/%d.json" % PUB[0]), "issue", R.ISSUE,
                "admin reads a private issue")
tap.is_(i.get("is_private"), True, "is_private: true")
s.psql("UPDATE issues SET is_private = false WHERE id = %d" % PUB[0])

# --- deleting ---------------------------------------------------------------------

R.empty(put(alice, made[0], {"notes": "soon gone"}), 204,
        "alice: a note on an issue about to be deleted")

for w in [who.anonymous()] + who.ways("alice") + who.switched() + \
        who.ways("bob"):
    R.empty(w.request(s, "DELETE", "/issues/%d.json" % made[0]),
            R.denied(w), "%s: DELETE an issue" % w.label)
for w, iid in zip(who.ways("admin"), made):
    R.empty(w.request(s, "DELETE", "/issues/%d.json" % iid), 204,
            "%s: DELETE /issues/%d.json" % (w.label, iid))
    R.empty(admin.get(s, "/issues/%d.json" % iid), 404, "... then 404")
R.empty(admin.request(s, "DELETE", "/issues/%d.xml" % made[0]), 404,
        "DELETE again: 404")
s.psql("INSERT INTO members (project_id, user_id, role) SELECT p.id, u.id, "
       "'manager' FROM projects p, users u WHERE p.identifier = "
       "'public-proj' AND u.login = 'bob'")
R.empty(bob.request(s, "DELETE", "/issues/%d.xml" % bob_issue), 204,
        "bob as manager of public-proj: DELETE an issue there")
R.empty(bob.request(s, "DELETE", "/issues/%d.json" % xml_issue), 403,
        "bob (viewer of private-proj): DELETE there: 403")
tap.is_(s.psql("SELECT count(*) FROM journals WHERE issue_id = %d"
               % made[0]).strip(), "0", "journals go with their issue")

lk.done()
