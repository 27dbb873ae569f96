-- Workers cache verified credentials; any change that could turn a yes
-- into a no (password, status, admin flag, login, a key created, reset or
-- removed) tells them to forget it, on channel latchkey_auth, however the
-- change was made. last_used_on updates do not fire it.

CREATE FUNCTION auth_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('latchkey_auth', '');
	RETURN NULL;
END $$;

CREATE TRIGGER users_auth_changed
	AFTER UPDATE OF login, hashed_password, salt, status, admin,
		must_change_passwd, firstname, lastname
	OR DELETE OR TRUNCATE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION auth_notify();

CREATE TRIGGER tokens_auth_changed
	AFTER INSERT OR UPDATE OF digest, user_id OR DELETE OR TRUNCATE
	ON tokens FOR EACH STATEMENT EXECUTE FUNCTION auth_notify();
