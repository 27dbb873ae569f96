#!/usr/bin/python3
# The list cache (app/listcache.c), for correctness: lists are kept per
# view class, not per user, so the danger is one user's list served to
# another, or a list outliving a change. Every check asks ROUNDS times, so
# each of the three workers answers from the cache, and interleaves users
# of different classes on the same paths.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import tap  # noqa: E402

s = lk.stack(workers=3)
ROUNDS = 30  # requests per check: each of the three workers answers
# carol: no membership, nothing private; at first in bob's class (and
# anonymous's), assigned an issue of public-proj so her "me" differs.
s.admin("user", "add", "carol", "--firstname", "Carol", "--lastname",
        "Coder", "--mail=carol@example.net", input="carol-pass-123\n")
s.remember_secret("carol-pass-123")
s.psql("UPDATE issues SET assigned_to_id = (SELECT id FROM users WHERE "
       "login = 'carol') WHERE id = (SELECT min(i.id) FROM issues i JOIN "
       "projects p ON p.id = i.project_id JOIN issue_statuses st ON "
       "st.id = i.status_id WHERE p.is_public AND NOT i.is_private AND "
       "NOT st.is_closed)")
KEYS = {u: s.api_key(u) for u in ("admin", "alice", "bob", "carol")}
WHO = ("anonymous", "admin", "alice", "bob", "carol")


def get(who, path, **kw):
    if who != "anonymous":
        kw["key"] = KEYS[who]
    return s.get(path, **kw)


def ids(who, path, name):
    r = get(who, path)
    if r.status != 200:
        return r.status
    return sorted(x["id"] for x in r.json()[name])


def answers(who, path, name):
    """Every answer of ROUNDS requests, interleaved with the others'."""
    seen = set()
    for _ in range(ROUNDS // len(WHO)):
        for w in WHO:
            got = ids(w, path, name)
            if w == who:
                seen.add(tuple(got) if isinstance(got, list) else got)
    return seen


def sql_ids(sql, col="id"):
    out = s.psql("SELECT string_agg(%s::text, ',' ORDER BY %s) FROM %s"
                 % (col, col, sql))
    return tuple(int(x) for x in out.strip().split(",") if x)


def within_a_second(pred):
    return lk.wait_for(pred, 1.0, 0.02)


def want_issues(who):
    """What SPEC section 7 lets who see of the open issues, from SQL."""
    cond = {"anonymous": "p.is_public AND NOT i.is_private",
            "admin": "true"}.get(who)
    if cond is None:
        uid = "(SELECT id FROM users WHERE login = '%s')" % who
        member = ("EXISTS (SELECT 1 FROM members m WHERE m.project_id = "
                  "p.id AND m.user_id = %s" % uid)
        cond = ("(p.is_public OR %s)) AND (NOT i.is_private OR "
                "i.author_id = %s OR i.assigned_to_id = %s OR "
                "%s AND m.role = 'manager'))"
                % (member, uid, uid, member))
    return sql_ids("issues i JOIN projects p ON p.id = i.project_id "
                   "JOIN issue_statuses st ON st.id = i.status_id "
                   "WHERE NOT st.is_closed AND " + cond, "i.id")


def each_sees_their_own(what):
    for w in WHO:
        tap.is_(answers(w, "/issues.json?limit=100", "issues"),
                {want_issues(w)},
                "%s: %s sees exactly their issues" % (what, w))


# --- classes: interleaved users never get each other's lists -------------
projects = {w: answers(w, "/projects.json", "projects") for w in WHO}
tap.is_(projects["bob"], projects["anonymous"],
        "bob (no membership) sees the projects anonymous sees")
tap.ok(len(next(iter(projects["alice"]))) ==
       len(next(iter(projects["bob"]))) + 1,
       "alice sees one more project (private-proj)")
tap.is_(projects["admin"], projects["alice"], "admin sees them all")
tap.ok(all(len(v) == 1 for v in projects.values()),
       "every user got one and the same answer on every worker")
each_sees_their_own("at first")
tap.is_(answers("bob", "/projects/private-proj/news.json", "news"), {403},
        "bob never gets alice's cached news of private-proj")
tap.is_(answers("anonymous", "/projects/private-proj/news.json", "news"),
        {401}, "neither does anonymous")

# --- a private issue makes its assignee a class of their own --------------
s.psql("INSERT INTO issues (project_id, tracker_id, status_id, priority_id, "
       "author_id, assigned_to_id, subject, is_private) SELECT p.id, 1, 1, "
       "2, a.id, b.id, 'Private to bob', true FROM projects p, users a, "
       "users b WHERE p.identifier = 'public-proj' AND a.login = 'admin' "
       "AND b.login = 'bob'")
private_id = sql_ids("issues WHERE subject = 'Private to bob'")[0]
tap.ok(within_a_second(lambda: private_id in ids("bob", "/issues.json",
                                                 "issues")),
       "a private issue inserted by SQL reaches its assignee within a "
       "second")
each_sees_their_own("after a private issue for bob")
for w in ("alice", "bob", "carol"):
    mine = sql_ids("issues i WHERE i.assigned_to_id = (SELECT id FROM users "
                   "WHERE login = '%s')" % w, "i.id")
    for me in ("me", "%6De", "m%65"):
        tap.is_(answers(w, "/issues.json?assigned_to_id=" + me, "issues"),
                {tuple(i for i in want_issues(w) if i in mine)},
                "assigned_to_id=%s: %s's own list, on a path they share"
                % (me, w))

# --- memberships change the class -----------------------------------------
s.psql("INSERT INTO members (project_id, user_id, role) SELECT p.id, u.id, "
       "'manager' FROM projects p, users u WHERE p.identifier = "
       "'public-proj' AND u.login = 'alice'")
tap.ok(within_a_second(lambda: private_id in ids("alice", "/issues.json",
                                                 "issues")),
       "made manager of public-proj by SQL, alice sees its private issue "
       "within a second")
each_sees_their_own("after alice became a manager")
s.psql("DELETE FROM members WHERE role = 'manager'")
tap.ok(within_a_second(lambda: private_id not in ids(
    "alice", "/issues.json", "issues")), "and no longer once removed")

# --- writes through the API show on the next request, on every worker -----
def totals():
    """Each user's total, the same on every worker (else a set of two)."""
    return {w: {get(w, "/issues.json").json()["total_count"]
                for _ in range(ROUNDS // 3)}
            for w in ("alice", "bob", "anonymous")}


before = totals()
r = s.request("POST", "/issues.json", key=KEYS["alice"],
              headers=[("Content-Type", "application/json")],
              body='{"issue":{"project_id":"public-proj",'
                   '"subject":"Made by alice"}}')
tap.is_(r.status, 201, "alice creates an issue in public-proj")
new_id = r.json()["issue"]["id"]
tap.is_(totals(), {w: {next(iter(t)) + 1} for w, t in before.items()},
        "every worker counts it on the very next request, for every class")
r = s.request("PUT", "/issues/%d.json" % new_id, key=KEYS["admin"],
              headers=[("Content-Type", "application/json")],
              body='{"issue":{"subject":"Renamed by admin"}}')
tap.is_(r.status, 204, "admin renames it")
tap.is_({next(i["subject"] for i in get("bob", "/issues.json?limit=100")
              .json()["issues"] if i["id"] == new_id)
         for _ in range(ROUNDS)}, {"Renamed by admin"},
        "every worker shows the new subject at once")
news = get("admin", "/projects/public-proj/news.json").json()["news"][0]
r = s.request("PUT", "/news/%d.json" % news["id"], key=KEYS["admin"],
              headers=[("Content-Type", "application/json")],
              body='{"news":{"title":"Retitled"}}')
tap.is_(r.status, 204, "admin retitles a news item")
tap.is_({get("anonymous", "/news.json").json()["news"][0]["title"]
         for _ in range(ROUNDS)}, {"Retitled"},
        "/news.json shows it at once on every worker")
r = s.request("DELETE", "/issues/%d.json" % new_id, key=KEYS["admin"])
tap.is_(r.status, 204, "admin deletes alice's issue")
tap.is_(totals(), before, "every count is back at once")

# --- changes made outside latchkeyd: within a second ------------------------
s.psql("UPDATE users SET firstname = 'Roberta' WHERE login = 'bob'")
tap.ok(within_a_second(lambda: {
    next(i["assigned_to"]["name"] for i in get(
        "bob", "/issues.json?limit=100").json()["issues"]
        if i["id"] == private_id) for _ in range(ROUNDS)}
    == {"Roberta " + s.psql("SELECT lastname FROM users WHERE login = "
                            "'bob'").strip()}),
    "a renamed assignee shows on every worker within a second")
s.psql("UPDATE projects SET is_public = false WHERE identifier = "
       "'public-proj'")
tap.ok(within_a_second(lambda: answers(
    "anonymous", "/projects/public-proj/news.json", "news") == {401}),
    "a project made private by SQL: anonymous gets 401 for its news "
    "within a second")
tap.is_(answers("bob", "/projects/public-proj/news.json", "news"), {403},
        "and bob 403")
each_sees_their_own("after public-proj went private")
s.psql("UPDATE projects SET is_public = true WHERE identifier = "
       "'public-proj'")
tap.ok(within_a_second(lambda: answers(
    "anonymous", "/projects/public-proj/news.json", "news") != {401}),
    "and public again: shown again")

# --- formats and HEAD share a path, never an answer -------------------------
for _ in range(2):
    for q, ctype in (("?format=json", "application/json"),
                     ("?format=xml", "application/xml")):
        r = get("bob", "/issues" + q)
        tap.like(r.header("Content-Type"), "^" + ctype,
                 "/issues%s is %s" % (q, ctype))
        tap.ok(r.body.lstrip().startswith(b"{" if "json" in q else b"<?xml"),
               "with a body in that format")
r = s.request("HEAD", "/issues.json", key=KEYS["bob"])
tap.is_((r.status, r.body, r.header("Content-Type").split(";")[0]),
        (200, b"", "application/json"), "HEAD: 200, the type, no body")
for w in ("alice", "bob", "alice", "bob"):
    r = s.get("/issues.json?limit=100&key=" + KEYS[w])
    tap.is_(tuple(sorted(i["id"] for i in r.json()["issues"])),
            want_issues(w), "?key= of %s on a shared path: %s's list"
            % (w, w))

# --- long lists: the large tier (pages of 100), and past it ----------------
s.psql("INSERT INTO issues (project_id, tracker_id, status_id, priority_id, "
       "author_id, subject, description) SELECT p.id, 1, 1, 2, a.id, "
       "'Long ' || n, repeat('x', 2000) FROM projects p, users a, "
       "generate_series(1, 45) n WHERE p.identifier = 'public-proj' AND "
       "a.login = 'admin'")
big = "/issues.json?limit=100"
tap.ok(within_a_second(lambda: len(get("bob", big).body) > 64 * 1024),
       "a page of 100 long issues (over 64 KiB)")
for w in WHO:
    tap.is_({tuple(sorted(i["id"] for i in get(w, big).json()["issues"]))
             for _ in range(ROUNDS // 3)}, {want_issues(w)},
            "%s: the long page, the same on every worker" % w)
s.psql("UPDATE issues SET description = repeat('y', 2000) WHERE subject = "
       "'Long 7'")
tap.ok(within_a_second(lambda: {
    next(i["description"][0] for i in get("bob", big).json()["issues"]
         if i["subject"] == "Long 7") for _ in range(ROUNDS)} == {"y"}),
    "a change to one of them shows on every worker within a second")
s.psql("UPDATE issues SET description = repeat('z', 4000) WHERE subject "
       "LIKE 'Long %'")
tap.ok(within_a_second(lambda: {
    len(get("anonymous", big).body) > 160 * 1024 and
    all(i["description"][0] == "z" for i in get("anonymous", big)
        .json()["issues"] if i["subject"].startswith("Long"))
    for _ in range(ROUNDS // 3)} == {True}),
    "a page too large to keep (over 160 KiB) is served right")

# --- changes nobody announces: two triggers dropped under running workers
# (they checked the schema when they connected). What the cache then keeps
# shows what it keeps, and what empties it.
s.psql("DROP TRIGGER news_data_changed ON news")
s.psql("DROP TRIGGER members_data_changed ON members")
# Fresh workers, each connected before what follows: none holds a NOTIFY
# of the sections above still unread, and none connects (which empties the
# cache) in the middle of it. An idle worker reads its NOTIFYs only at its
# next request.
s.restart_latchkeyd()


def connected():
    return int(s.psql("SELECT count(*) FROM pg_stat_activity WHERE "
                      "application_name = 'latchkeyd'").strip())


tap.ok(lk.wait_for(lambda: s.get("/projects.json").status == 200 and
                   connected() >= 3, 10),
       "the three workers are connected")
news_page = "/news.json?limit=5"  # small enough to keep


def newest_titles(who):
    return {get(who, news_page).json()["news"][0]["title"]
            for _ in range(ROUNDS)}


before = newest_titles("bob")
s.psql("UPDATE news SET title = 'Quietly retitled' WHERE id = %d"
       % get("bob", news_page).json()["news"][0]["id"])
tap.is_(newest_titles("bob"), before,
        "a change nobody announces is not seen: the list is kept")
refused = [s.request("POST", "/issues.json",
                     headers=[("Content-Type", "application/json")],
                     body='{"issue":{"subject":"x"}}').status,
           s.request("PUT", "/news/999999.json", key=KEYS["admin"],
                     headers=[("Content-Type", "application/json")],
                     body='{"news":{"title":"x"}}').status,
           s.request("POST", "/issues.json", key=KEYS["bob"],
                     headers=[("Content-Type", "application/json")],
                     body='{"issue":{}}').status,
           s.request("PUT", "/issues/%d.json" % private_id, key=KEYS["bob"],
                     headers=[("Content-Type", "application/json")],
                     body='{"issue":{}}').status]
tap.is_(refused, [401, 404, 422, 204],
        "three refused writes and one that asks for no change")
tap.is_(newest_titles("bob"), before,
        "none of them empties anything (or anyone could keep the cache "
        "empty)")
r = s.request("PUT", "/issues/%d.json" % private_id, key=KEYS["admin"],
              headers=[("Content-Type", "application/json")],
              body='{"issue":{"done_ratio":10}}')
tap.is_(r.status, 204, "a write that changes an issue")
tap.is_(newest_titles("bob"), {"Quietly retitled"},
        "empties every list before its answer leaves")
# carol's class is remembered from before; she becomes a member of
# private-proj unannounced, then asks for a list nobody has asked for:
# rendered with the membership, it must not be kept under her old class,
# which anonymous shares.
tap.is_(answers("carol", "/projects.json?offset=0", "projects"),
        answers("anonymous", "/projects.json?offset=0", "projects"),
        "carol and anonymous see the same projects (one class)")
s.psql("INSERT INTO members (project_id, user_id, role) SELECT p.id, u.id, "
       "'viewer' FROM projects p, users u WHERE p.identifier = "
       "'private-proj' AND u.login = 'carol'")
fresh = "/projects.json?limit=50"
carol_sees = ids("carol", fresh, "projects")
tap.ok(len(carol_sees) == len(ids("admin", fresh, "projects")),
       "carol, now a member, sees private-proj (her list read afresh)")
tap.is_({tuple(ids("anonymous", fresh, "projects")) for _ in range(ROUNDS)},
        {tuple(p for p in ids("admin", fresh, "projects")
               if p not in sql_ids("projects WHERE NOT is_public"))},
        "anonymous never gets that list, kept under carol's old class")
s.psql("DELETE FROM members WHERE user_id = (SELECT id FROM users WHERE "
       "login = 'carol')")

# --- started before `latchkey migrate` added the triggers: no list cache --
s.psql("DROP FUNCTION data_notify() CASCADE")
s.restart_latchkeyd()
page = "/issues.json?limit=5"  # small enough to keep: the newest issues
for _ in range(ROUNDS):
    get("bob", page)  # would be cached, were the cache on
tap.like(s.read_log(s.latchkeyd_log), r"level=warn event=list_cache_off "
         r"reason=\"the schema lacks sql/005 \(run latchkey migrate\)\"",
         "without sql/005's triggers the workers say the cache is off")
s.psql("UPDATE issues SET subject = 'Unannounced' WHERE id = (SELECT "
       "max(id) FROM issues)")
tap.is_({get("bob", page).json()["issues"][0]["subject"]
         for _ in range(ROUNDS)}, {"Unannounced"},
    "and a change nobody announces shows at once on every worker")

# --- cache_ttl = 0 turns it off: still right ------------------------------
s.conf_overrides["cache_ttl"] = "0"
s.restart_latchkeyd()
each_sees_their_own("with cache_ttl = 0")
tap.is_(s.secrets_in_logs(), [], "no key in any log")
lk.done()
