#!/usr/bin/python3
# /news, /projects/ID/news (GET, POST) and /news/ID (GET, PUT, DELETE), JSON
# and XML, by everyone and every way in (issue 5): who reads which news,
# who may write (managers and admins), Redmine's shapes, order and
# pagination, 204s with no body, 401/403/404, 422 with Redmine's messages
# and 400 for malformed bodies.
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


def news_ids(project=None):
    """Ids of the news (of one project), newest first, from the database."""
    where = ("WHERE project_id = (SELECT id FROM projects WHERE "
             "identifier = '%s')" % project) if project else ""
    out = s.psql("SELECT id FROM news %s ORDER BY created_on DESC, id DESC"
                 % where)
    return [int(x) for x in out.split()]


PUB_NEWS, PRIV_NEWS = news_ids("public-proj"), news_ids("private-proj")
ALL_NEWS = news_ids()
tap.is_((len(PUB_NEWS), len(PRIV_NEWS)), (2, 2),
        "the demo data has two news items in each project")

# --- reading ----------------------------------------------------------------

for w in who.all():
    want = ALL_NEWS if R.sees_private(w) else PUB_NEWS
    for path in ("/news.json", "/news.xml"):
        name = "%s: %s" % (w.label, path)
        r = w.get(s, path)
        if path.endswith(".json"):
            items, page = R.json_list(r, "news", R.NEWS, name)
            got_page = page
        else:
            items, attrs = R.xml_list(r, "news", "news", R.NEWS, name)
            got_page = {k: int(v) for k, v in attrs.items() if k != "type"}
        tap.is_([int(n.get("id", 0)) for n in items], want,
                name + ": the visible news, newest first")
        tap.is_(got_page, {"total_count": len(want), "offset": 0,
                           "limit": 25}, name + ": total_count, offset, limit")
    for proj, ids in (("public-proj", PUB_NEWS), ("private-proj", PRIV_NEWS)):
        for path in ("/projects/%s/news.json" % proj,
                     "/projects/%s/news.xml" % proj,
                     "/news.json?project_id=%s" % proj):
            name = "%s: %s" % (w.label, path)
            r = w.get(s, path)
            if proj == "private-proj" and not R.sees_private(w):
                R.empty(r, R.denied(w), name)
            elif ".json" in path:
                items, _ = R.json_list(r, "news", R.NEWS, name)
                tap.is_([n.get("id") for n in items], ids, name + ": ids")
                tap.ok(all(n["project"]["name"] ==
                           ("Public project" if proj == "public-proj"
                            else "Private project") for n in items),
                       name + ": all of that project")
            else:
                items, _ = R.xml_list(r, "news", "news", R.NEWS, name)
                tap.is_([int(n.get("id", 0)) for n in items], ids,
                        name + ": ids")
    for nid in (PUB_NEWS[0], PRIV_NEWS[0]):
        for fmt in ("json", "xml"):
            path = "/news/%d.%s" % (nid, fmt)
            name = "%s: %s" % (w.label, path)
            r = w.get(s, path)
            if nid in PRIV_NEWS and not R.sees_private(w):
                R.empty(r, R.denied(w), name)
            elif fmt == "json":
                n = R.json_item(r, "news", R.NEWS, name)
                tap.is_(n.get("id"), nid, name + ": id")
            else:
                n = R.xml_item(r, "news", R.NEWS, name)
                tap.is_(n.get("id"), str(nid), name + ": id")

admin = who.one("admin")
n = R.json_item(admin.get(s, "/news/%d.json" % PUB_NEWS[-1]), "news",
                R.NEWS, "admin: the first public news")
tap.is_({k: n.get(k) for k in ("project", "author", "title", "summary",
                                "description")},
        {"project": {"id": n.get("project", {}).get("id"),
                     "name": "Public project"},
         "author": {"id": n.get("author", {}).get("id"),
                    "name": "Ada Admin"},
         "title": "Public release 1.0", "summary": "First public release",
         "description": "Release notes for 1.0."},
        "news values as loaded; author named \"firstname lastname\"")
n = R.xml_item(admin.get(s, "/news/%d.xml" % PUB_NEWS[-1]), "news",
               R.NEWS, "admin: the first public news (XML)")
tap.is_((n.get("title"), n.get("author", {}).get("name")),
        ("Public release 1.0", "Ada Admin"), "XML: title, author")

for w in (who.anonymous(), who.one("bob"), admin):
    for path in ("/news/999999.json", "/news/abc.xml", "/news/0.json",
                 "/projects/nope/news.json", "/news.json?project_id=nope"):
        R.empty(w.get(s, path), 404, "%s: %s" % (w.label, path))
R.empty(s.get("/news.json?project_id=a&project_id=b"), 400,
        "two different project_id: 400")

items, page = R.json_list(admin.get(s, "/news.json?offset=1&limit=2"),
                          "news", R.NEWS, "admin: a page")
tap.is_(([x["id"] for x in items], page),
        (ALL_NEWS[1:3], {"total_count": 4, "offset": 1, "limit": 2}),
        "/news.json?offset=1&limit=2: the second and third")
for path, total in (("/news.json?offset=50", 4),
                    ("/projects/public-proj/news.json?offset=50", 2)):
    items, page = R.json_list(admin.get(s, path), "news", R.NEWS,
                              "admin: past the end")
    tap.is_((items, page["total_count"]), ([], total),
            "%s: no items, the total still counted" % path)

# --- writing: who may ----------------------------------------------------------

BODY = {"news": {"title": "Created by a test", "summary": "short",
                 "description": "A longer text."}}


def post(w, project, body=BODY, ctype=JSON, fmt="json"):
    if isinstance(body, dict):
        body = json.dumps(body)
    return w.request(s, "POST", "/projects/%s/news.%s" % (project, fmt),
                     body=body, ctype=ctype)


# Nobody but admins manages news in the demo data: alice is a contributor.
for w in [who.anonymous()] + who.ways("alice") + who.ways("bob") + \
        who.switched():
    for proj in ("public-proj", "private-proj"):
        r = post(w, proj)
        status = 401 if w.acts_as is None else 403
        R.empty(r, status, "%s: POST /projects/%s/news.json" % (w.label,
                                                              proj))
tap.is_(news_ids(), ALL_NEWS, "... and no news was created")

for w in who.ways("admin"):
    r = post(w, "private-proj")
    R.empty(r, 204, "%s: POST /projects/private-proj/news.json" % w.label)
after = news_ids("private-proj")
tap.is_(len(after), len(PRIV_NEWS) + 4, "four news created, one each way")
created = after[0]
n = R.json_item(who.one("alice").get(s, "/news/%d.json" % created), "news",
                R.NEWS, "alice reads the new news")
tap.is_((n.get("title"), n.get("summary"), n.get("description"),
         n.get("author", {}).get("name")),
        ("Created by a test", "short", "A longer text.", "Ada Admin"),
        "the new news: title, summary, description, author")

r = post(admin, "public-proj", fmt="xml", ctype=XML,
         body="<news><title>From XML &amp; more</title>"
              "<description>Body</description></news>")
R.empty(r, 204, "admin: POST news in XML (.xml)")
nid = news_ids("public-proj")[0]
n = R.json_item(s.get("/news/%d.json" % nid), "news", R.NEWS,
                "anonymous reads the XML-made news")
tap.is_((n.get("title"), n.get("summary")), ("From XML & more", ""),
        "XML news: title unescaped, summary defaults to \"\"")

# A manager (bob, made one by SQL for this test) manages public-proj's news
# only; a viewer of private-proj reads but does not write.
s.psql("INSERT INTO members (project_id, user_id, role) SELECT p.id, u.id, "
       "'manager' FROM projects p, users u WHERE p.identifier = "
       "'public-proj' AND u.login = 'bob'")
bob = who.one("bob")
R.empty(post(bob, "public-proj"), 204, "bob as manager: POST public news")
mine = news_ids("public-proj")[0]
R.empty(post(bob, "private-proj"), 403, "bob as manager elsewhere: 403")
r = bob.request(s, "PUT", "/news/%d.json" % mine, ctype=JSON,
                body=json.dumps({"news": {"title": "Bob's title"}}))
R.empty(r, 204, "bob as manager: PUT his project's news")
tap.is_(s.get("/news/%d.json" % mine).json()["news"]["title"], "Bob's title",
        "... the title changed")
R.empty(bob.request(s, "PUT", "/news/%d.json" % PRIV_NEWS[0], ctype=JSON,
                    body=json.dumps({"news": {"title": "x"}})), 403,
        "bob: PUT private-proj's news: 403")

s.psql("INSERT INTO members (project_id, user_id, role) SELECT p.id, u.id, "
       "'viewer' FROM projects p, users u WHERE p.identifier = "
       "'private-proj' AND u.login = 'bob'")
items, _ = R.json_list(bob.get(s, "/projects/private-proj/news.json"),
                       "news", R.NEWS, "bob as viewer of private-proj")
tap.is_(len(items), len(after), "bob as viewer sees private-proj's news")
R.empty(post(bob, "private-proj"), 403, "bob as viewer: POST news: 403")

# --- validation ---------------------------------------------------------------

cases = [
    ("no title", {"description": "d"}, ["Title cannot be blank"]),
    ("blank title", {"title": "  ", "description": "d"},
     ["Title cannot be blank"]),
    ("no description", {"title": "t"}, ["Description cannot be blank"]),
    ("nothing", {}, ["Title cannot be blank", "Description cannot be blank"]),
    ("title of 61", {"title": "x" * 61, "description": "d"},
     ["Title is too long (maximum is 60 characters)"]),
    ("summary of 256", {"title": "t", "summary": "s" * 256,
                        "description": "d"},
     ["Summary is too long (maximum is 255 characters)"]),
    ("title an object", {"title": {"a": 1}, "description": "d"},
     ["Title is invalid"]),
    ("title with NUL", {"title": "a\u0000b", "description": "d"},
     ["Title is invalid"]),
    ("title of 2000", {"title": "x" * 2000, "description": "d"},
     ["Title is too long (maximum is 60 characters)"]),
]
before = news_ids()
for label, body, messages in cases:
    R.errors_json(post(admin, "public-proj", {"news": body}), messages,
                  "POST news, " + label)
r = post(admin, "public-proj", {"news": {"title": "é" * 60,
                                         "description": "d"}})
R.empty(r, 204, "a title of 60 two-byte characters is fine (characters, "
        "not bytes)")
R.errors_xml(post(admin, "public-proj", fmt="xml", ctype=XML,
                  body="<news><title></title></news>"),
             ["Title cannot be blank", "Description cannot be blank"],
             "POST news in XML, blank")
tap.is_(len(news_ids()), len(before) + 1, "only the valid one was created")

for label, body, ctype in [
        ("truncated JSON", '{"news": {"title": "t"', JSON),
        ("not JSON", "title=t", JSON),
        ("wrong root", '{"issue": {"title": "t"}}', JSON),
        ("news not an object", '{"news": "t"}', JSON),
        ("trailing garbage", '{"news": {}} x', JSON),
        ("malformed XML", "<news><title>t</news>", XML),
        ("XML with a DTD",
         '<?xml version="1.0"?><!DOCTYPE news [<!ENTITY x "y">]>'
         "<news><title>&x;</title></news>", XML),
        ("empty body", "", JSON)]:
    R.empty(post(admin, "public-proj", body, ctype=ctype), 400,
            "POST news, %s: 400" % label)
r = post(admin, "public-proj", ctype="text/plain")
tap.is_(r.status, 415, "POST news as text/plain: 415")

# --- update and delete -----------------------------------------------------------

target = created
for w in [who.anonymous()] + who.ways("alice") + who.switched():
    r = w.request(s, "PUT", "/news/%d.json" % target, ctype=JSON,
                  body=json.dumps({"news": {"title": "nope"}}))
    R.empty(r, 401 if w.acts_as is None else 403, "%s: PUT /news/ID" %
            w.label)
    r = w.request(s, "DELETE", "/news/%d.json" % target)
    R.empty(r, 401 if w.acts_as is None else 403, "%s: DELETE /news/ID" %
            w.label)
for w in who.ways("admin"):
    title = "Edited by " + w.label
    r = w.request(s, "PUT", "/news/%d.json" % target, ctype=JSON,
                  body=json.dumps({"news": {"title": title[:60]}}))
    R.empty(r, 204, "%s: PUT /news/ID" % w.label)
    tap.is_(s.get("/news/%d.json?key=%s" % (target, who.keys["admin"]))
            .json()["news"]["title"], title[:60], "... title changed")
r = admin.request(s, "PUT", "/news/%d.xml" % target, ctype=XML,
                  body="<news><summary>New summary</summary></news>")
R.empty(r, 204, "PUT /news/ID.xml with an XML body")
n = admin.get(s, "/news/%d.json" % target).json()["news"]
tap.is_((n["summary"], n["description"]), ("New summary", "A longer text."),
        "PUT changes only what it names")
R.errors_json(admin.request(s, "PUT", "/news/%d.json" % target, ctype=JSON,
                            body='{"news": {"title": ""}}'),
              ["Title cannot be blank"], "PUT news, blank title")
R.errors_json(admin.request(s, "PUT", "/news/%d.json" % target, ctype=JSON,
                            body='{"news": {"description": " "}}'),
              ["Description cannot be blank"], "PUT news, blank description")
R.empty(admin.request(s, "PUT", "/news/%d.json" % target, ctype=JSON,
                      body='{"news": '), 400, "PUT news, malformed: 400")
R.empty(admin.request(s, "PUT", "/news/999999.json", ctype=JSON,
                      body='{"news": {}}'), 404, "PUT /news/999999: 404")

R.empty(admin.request(s, "DELETE", "/news/%d.json" % target), 204,
        "admin: DELETE /news/ID")
R.empty(admin.get(s, "/news/%d.json" % target), 404, "... then it is gone")
R.empty(admin.request(s, "DELETE", "/news/%d.xml" % target), 404,
        "DELETE again: 404")
R.empty(bob.request(s, "DELETE", "/news/%d.json" % mine), 204,
        "bob as manager: DELETE his project's news")

lk.done()
