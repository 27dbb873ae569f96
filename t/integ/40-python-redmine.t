#!/usr/bin/python3
# A real Redmine client against the stack (issue 5): Debian's python-redmine
# (python3-redminelib, written for Redmine, not for us), once with an API
# key and once with login and password. As alice (contributor of
# private-proj): the current user, all projects, the private project by
# identifier, a project's news, create an issue, add notes, read them back
# as journals; deleting is a manager's right, so alice is refused and the
# admin (same way in) deletes it.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import lk  # noqa: E402
import tap  # noqa: E402

try:
    from redminelib import Redmine, exceptions
except ImportError:
    # deploy/dev/deps test installs it: missing, the test fails, not skips.
    tap.ok(False, "python3-redminelib installed (deploy/dev/deps test)")
    tap.done_testing()

s = lk.stack()
url = s.base_url


def client(login, by_key):
    if by_key:
        return Redmine(url, key=s.api_key(login))
    return Redmine(url, username=login, password=lk.PASSWORDS[login])


def scenario(by_key):
    how = "key" if by_key else "username/password"
    rm, admin = client("alice", by_key), client("admin", by_key)

    me = rm.user.get("current")
    tap.is_((me.login, me.firstname, me.lastname),
            ("alice", "Alice", "Member"), "%s: user.get('current')" % how)
    if by_key:
        tap.is_(me.api_key, s.api_key("alice"),
                "%s: the current user's api_key" % how)

    projects = rm.project.all()
    tap.is_([p.identifier for p in projects], ["private-proj", "public-proj"],
            "%s: project.all() lists both projects" % how)
    tap.is_(len(projects), 2, "%s: len(project.all())" % how)

    p = rm.project.get("private-proj")
    tap.is_((p.name, p.is_public, p.homepage), ("Private project", False, ""),
            "%s: project.get('private-proj')" % how)
    tap.ok(p.created_on is not None and p.created_on.year > 2000,
           "%s: created_on parsed as a date" % how)

    news = rm.news.filter(project_id="public-proj")
    tap.is_(sorted(n.title for n in news),
            ["Public maintenance window", "Public release 1.0"],
            "%s: news.filter(project_id='public-proj')" % how)
    tap.ok(all(n.project.name == "Public project" for n in news),
           "%s: every news item names its project" % how)
    tap.is_(sorted(n.title for n in p.news),
            ["Private budget", "Private roadmap"],
            "%s: project.news of private-proj" % how)

    issue = rm.issue.create(project_id="private-proj",
                            subject="From python-redmine (%s)" % how,
                            description="Made by a real client.")
    tap.ok(issue.id > 0, "%s: issue.create gives an id" % how)
    tap.is_((issue.subject, issue.status.name, issue.author.name,
             issue.project.name),
            ("From python-redmine (%s)" % how, "New", "Alice Member",
             "Private project"), "%s: the created issue" % how)

    tap.is_(rm.issue.update(issue.id, notes="First note"), True,
            "%s: issue.update with notes" % how)
    tap.is_(rm.issue.update(issue.id, notes="Second note", done_ratio=50),
            True, "%s: issue.update with notes and a field" % how)
    again = rm.issue.get(issue.id, include=["journals"])
    tap.is_([(j.user.name, j.notes) for j in again.journals],
            [("Alice Member", "First note"), ("Alice Member", "Second note")],
            "%s: issue.get(include=['journals']) shows the notes" % how)
    tap.is_(again.done_ratio, 50, "%s: the field changed" % how)
    listed = rm.issue.filter(project_id="private-proj")
    tap.ok(issue.id in [i.id for i in listed],
           "%s: issue.filter(project_id=...) lists it" % how)

    try:
        rm.issue.delete(issue.id)
        tap.ok(False, "%s: alice may not delete (contributor)" % how)
    except exceptions.ForbiddenError:
        tap.ok(True, "%s: alice may not delete: ForbiddenError" % how)
    tap.is_(admin.issue.delete(issue.id), True,
            "%s: the admin deletes it" % how)
    try:
        rm.issue.get(issue.id)
        tap.ok(False, "%s: the deleted issue is gone" % how)
    except exceptions.ResourceNotFoundError:
        tap.ok(True, "%s: the deleted issue is gone (404)" % how)

    bob = client("bob", by_key)
    try:
        bob.project.get("private-proj")
        tap.ok(False, "%s: bob may not see private-proj" % how)
    except exceptions.ForbiddenError:
        tap.ok(True, "%s: bob gets ForbiddenError for private-proj" % how)


scenario(by_key=True)
scenario(by_key=False)

lk.done()
