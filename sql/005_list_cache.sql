-- Workers keep the lists they served (app/listcache.c): every change to a
-- table a list shows, or to who sees what, tells them to forget them, on
-- channel latchkey_data, however the change was made. Per statement, so a
-- bulk load sends one.

CREATE FUNCTION data_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('latchkey_data', '');
	RETURN NULL;
END $$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['projects', 'members', 'trackers',
		'issue_statuses', 'issue_priorities', 'issues', 'journals', 'news',
		'settings']
	LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE '
			'OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION '
			'data_notify()', t || '_data_changed', t);
	END LOOP;
END $$;

-- Lists show authors' and assignees' names; a user removed takes their
-- memberships and issues along.
CREATE TRIGGER users_data_changed
	AFTER UPDATE OF firstname, lastname OR DELETE OR TRUNCATE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();

-- Who is involved in a private issue, and which projects have one: asked
-- once per user and list generation (listcache.c), so index lookups in
-- small indexes, not scans.
CREATE INDEX issues_private_project ON issues (project_id) WHERE is_private;
CREATE INDEX issues_private_author ON issues (author_id) WHERE is_private;
CREATE INDEX issues_private_assignee ON issues (assigned_to_id)
	WHERE is_private;
