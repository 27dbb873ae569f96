-- A Basic pair answered by its user part as a key (KEY:X) is remembered
-- by the workers (lib/auth/resolve.c). Redmine tries the user part as a
-- login first, so a user created later with that login and password
-- must win: creating a user empties the caches too.
DROP TRIGGER users_auth_changed ON users;
CREATE TRIGGER users_auth_changed
	AFTER INSERT OR UPDATE OF login, hashed_password, salt, status, admin,
		must_change_passwd, firstname, lastname, mail, created_on,
		updated_on, last_login_on, passwd_changed_on
	OR DELETE OR TRUNCATE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION auth_notify();
