#!/usr/bin/python3
# /projects and /projects/ID (id or identifier), JSON and XML, by everyone
# and every way in (issue 5): who sees which project, Redmine's shapes and
# order, pagination, 401/403/404, and the REST API's refusals.
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import lkhttp  # noqa: E402
import lkres as R  # noqa: E402
import tap  # noqa: E402

s = lk.stack()
who = R.Who(s)
ids = dict(line.split("|") for line in s.psql(
    "SELECT identifier, id FROM projects").split())
PUB, PRIV = ids["public-proj"], ids["private-proj"]

# --- the list -----------------------------------------------------------

for w in who.all():
    # Redmine orders projects by name: "Private project" first.
    want = (["private-proj", "public-proj"] if R.sees_private(w)
            else ["public-proj"])
    r = w.get(s, "/projects.json")
    items, page = R.json_list(r, "projects", R.PROJECT, "%s: /projects.json"
                              % w.label)
    tap.is_([p.get("identifier") for p in items], want,
            "%s: /projects.json lists %s" % (w.label, want))
    tap.is_(page, {"total_count": len(want), "offset": 0, "limit": 25},
            "%s: total_count, offset, limit" % w.label)
    r = w.get(s, "/projects.xml")
    items, attrs = R.xml_list(r, "projects", "project", R.PROJECT,
                              "%s: /projects.xml" % w.label)
    tap.is_([p.get("identifier") for p in items], want,
            "%s: /projects.xml lists %s" % (w.label, want))
    tap.is_(attrs, {"total_count": str(len(want)), "offset": "0",
                    "limit": "25", "type": "array"},
            "%s: XML list attributes" % w.label)

# Values, not only shapes: the demo data as loaded.
admin = who.one("admin")
items, _ = R.json_list(admin.get(s, "/projects.json"), "projects",
                       R.PROJECT, "admin: values")
pub = [p for p in items if p.get("identifier") == "public-proj"]
tap.is_(pub and {k: pub[0][k] for k in ("id", "name", "status", "is_public",
                                        "inherit_members")},
        {"id": int(PUB), "name": "Public project", "status": 1,
         "is_public": True, "inherit_members": False},
        "public-proj: id, name, status, is_public, inherit_members")

# --- one project ----------------------------------------------------------

for w in who.all():
    for fmt in ("json", "xml"):
        for key in ("public-proj", PUB):
            path = "/projects/%s.%s" % (key, fmt)
            name = "%s: %s" % (w.label, path)
            r = w.get(s, path)
            if fmt == "json":
                p = R.json_item(r, "project", R.PROJECT_SHOW, name)
                tap.is_(p.get("identifier"), "public-proj", name +
                        ": identifier")
                tap.is_(p.get("homepage"), "", name + ": homepage \"\"")
            else:
                p = R.xml_item(r, "project", R.PROJECT_SHOW, name)
                tap.is_(p.get("id"), PUB, name + ": id")
        for key in ("private-proj", PRIV):
            path = "/projects/%s.%s" % (key, fmt)
            name = "%s: %s" % (w.label, path)
            r = w.get(s, path)
            if not R.sees_private(w):
                R.empty(r, R.denied(w), name)
                tap.is_(r.headers_all("WWW-Authenticate"),
                        [R.CHALLENGE] if w.acts_as is None else [],
                        name + ": challenge only for anonymous")
            elif fmt == "json":
                p = R.json_item(r, "project", R.PROJECT_SHOW, name)
                tap.is_((p.get("identifier"), p.get("is_public")),
                        ("private-proj", False), name + ": private-proj")
            else:
                p = R.xml_item(r, "project", R.PROJECT_SHOW, name)
                tap.is_((p.get("identifier"), p.get("is_public")),
                        ("private-proj", "false"), name + ": private-proj")

for w in (who.anonymous(), who.one("bob"), who.one("admin")):
    for path in ("/projects/nope.json", "/projects/99999.xml",
                 "/projects/0.json", "/projects/%FF%FE.json",
                 "/projects/" + "a" * 100 + ".json"):
        R.empty(w.get(s, path), 404, "%s: %s" % (w.label, path))

# --- pagination -------------------------------------------------------------

cases = [("?limit=1", ["private-proj"], 2, 0, 1),
         ("?offset=1&limit=1", ["public-proj"], 2, 1, 1),
         ("?offset=5", [], 2, 5, 25),
         ("?limit=1000", ["private-proj", "public-proj"], 2, 0, 100),
         ("?limit=0", ["private-proj"], 2, 0, 1),
         ("?limit=abc", ["private-proj", "public-proj"], 2, 0, 25)]
for q, want, total, offset, limit in cases:
    items, page = R.json_list(admin.get(s, "/projects.json" + q),
                              "projects", R.PROJECT, "admin: " + q)
    tap.is_(([p.get("identifier") for p in items], page),
            (want, {"total_count": total, "offset": offset, "limit": limit}),
            "/projects.json%s: %s, total %d, offset %d, limit %d"
            % (q, want, total, offset, limit))
items, attrs = R.xml_list(admin.get(s, "/projects.xml?offset=1&limit=1"),
                          "projects", "project", R.PROJECT, "XML page")
tap.is_(attrs, {"total_count": "2", "offset": "1", "limit": "1",
                "type": "array"}, "XML page: attributes")

# --- the rest of the request ---------------------------------------------------

r = s.request("HEAD", "/projects.json")
tap.is_((r.status, r.body), (200, b""), "HEAD /projects.json: 200, no body")
r = s.get("/projects/public-proj?format=json")
tap.is_(r.status, 200, "/projects/public-proj?format=json: 200")
r = s.get("/projects")
tap.is_(r.status, 406, "/projects without a format: 406")
tap.like(r.text, r"\.json", "406 names .json")
r = s.request("POST", "/projects.json", body="{}",
              headers=[("Content-Type", "application/json")])
tap.is_(r.status, 405, "POST /projects.json: 405 (not served)")

wrong = "0" * 40 if who.keys["alice"] != "0" * 40 else "1" * 40
for path in ("/projects.json", "/projects/public-proj.xml"):
    r = s.get(path + "?key=" + wrong)
    R.empty(r, 401, "a wrong key on public data: %s" % path)
    r = s.get(path, headers=[("Authorization", lkhttp.basic(
        "alice", "not-her-password"))])
    R.empty(r, 401, "a wrong password on public data: %s" % path)
r = s.get("/projects.json", headers=[("X-Redmine-API-Key",
                                      who.keys["admin"]),
                                     ("X-Redmine-Switch-User", "nobody")])
tap.is_(r.status, 412, "admin switching to an unknown user: 412")
r = s.get("/projects.json", headers=[("X-Redmine-API-Key", who.keys["bob"]),
                                     ("X-Redmine-Switch-User", "alice")])
items, _ = R.json_list(r, "projects", R.PROJECT, "bob switching (ignored)")
tap.is_([p["identifier"] for p in items], ["public-proj"],
        "a non-admin's switch header is ignored: bob's projects")

# --- login_required ----------------------------------------------------------


s.setting("login_required", "true")
r = s.settle(401, "/projects.json")
R.empty(r, 401, "login_required: anonymous /projects.json")
tap.is_(r.headers_all("WWW-Authenticate"), [R.CHALLENGE],
        "login_required: with the Basic challenge")
R.empty(s.get("/projects/public-proj.json"), 401,
        "login_required: anonymous /projects/public-proj.json")
items, _ = R.json_list(who.one("bob").get(s, "/projects.json"), "projects",
                       R.PROJECT, "login_required: bob")
tap.is_([p["identifier"] for p in items], ["public-proj"],
        "login_required: bob still sees public-proj")
s.setting("login_required", "false")
r = s.settle(200, "/projects.json")
tap.is_(r.status, 200, "login_required off again: anonymous 200")

lk.done()
