-- Workers keep the lists they served (app/listcache.c): every change to a
-- table a list shows, or to who sees what, tells them to forget them, on
-- channel latchkey_data, however the change was made. Per statement, so a
-- bulk load sends one.

CREATE FUNCTION data_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('latchkey_data', '');
	RETURN NULL;
END $$;

CREATE TRIGGER projects_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON projects
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER members_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON members
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER trackers_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trackers
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER issue_statuses_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON issue_statuses
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER issue_priorities_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON issue_priorities
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER issues_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON issues
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER journals_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON journals
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER news_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON news
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
CREATE TRIGGER settings_data_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();
-- Lists show authors' and assignees' names; a user removed takes their
-- memberships and issues along.
CREATE TRIGGER users_data_changed
	AFTER UPDATE OF firstname, lastname OR DELETE OR TRUNCATE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION data_notify();

-- Who is involved in a private issue: asked once per user and list
-- generation (listcache.c), so it is an index lookup, not a scan.
CREATE INDEX issues_private_author ON issues (author_id) WHERE is_private;
CREATE INDEX issues_private_assignee ON issues (assigned_to_id)
	WHERE is_private;
