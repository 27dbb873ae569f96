-- Users' own records (app/profile.c) and verified credentials (app/cache.c)
-- were emptied by one NOTIFY, so a sign-in on the web (last_login_on) or a
-- new name cost every Basic-password client its cached credential, and an
-- argon2id check. Columns only the records show now say so on a channel of
-- their own; what decides a credential stays on latchkey_auth (which
-- empties both).

CREATE FUNCTION profile_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('latchkey_profile', '');
	RETURN NULL;
END $$;

DROP TRIGGER users_auth_changed ON users;
CREATE TRIGGER users_auth_changed
	AFTER INSERT OR UPDATE OF login, hashed_password, salt, status, admin,
		must_change_passwd
	OR DELETE OR TRUNCATE ON users
	FOR EACH STATEMENT EXECUTE FUNCTION auth_notify();
CREATE TRIGGER users_profile_changed
	AFTER UPDATE OF firstname, lastname, mail, created_on, updated_on,
		last_login_on, passwd_changed_on
	ON users FOR EACH STATEMENT EXECUTE FUNCTION profile_notify();
