-- Workers now also keep each user's own record as /users/current shows it
-- (app/profile.c): every column shown there must empty their caches when
-- it changes, not only the ones credentials depend on.
DROP TRIGGER users_auth_changed ON users;
CREATE TRIGGER users_auth_changed
	AFTER UPDATE OF login, hashed_password, salt, status, admin,
		must_change_passwd, firstname, lastname, mail, created_on,
		updated_on, last_login_on, passwd_changed_on
	OR DELETE OR TRUNCATE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION auth_notify();
