-- The core schema: Redmine's tables, cut down to what latchkey serves.
-- Applied once by `latchkey migrate`, in one transaction.

CREATE TABLE users (
	id bigserial PRIMARY KEY,
	login text NOT NULL CHECK (length(login) BETWEEN 1 AND 255),
	firstname text NOT NULL DEFAULT '' CHECK (length(firstname) <= 30),
	lastname text NOT NULL DEFAULT '' CHECK (length(lastname) <= 255),
	mail text NOT NULL DEFAULT '' CHECK (length(mail) <= 254),
	admin boolean NOT NULL DEFAULT false,
	-- Redmine's numbers: 1 active, 2 registered, 3 locked.
	status smallint NOT NULL DEFAULT 1 CHECK (status IN (1, 2, 3)),
	-- argon2id, bcrypt, or Redmine's SHA-1 hex (then salt is its salt).
	hashed_password text NOT NULL DEFAULT '',
	salt text NOT NULL DEFAULT '',
	must_change_passwd boolean NOT NULL DEFAULT false,
	passwd_changed_on timestamptz,
	last_login_on timestamptz,
	created_on timestamptz NOT NULL DEFAULT now(),
	updated_on timestamptz NOT NULL DEFAULT now()
);
-- Logins are unique and looked up case-insensitively, as Redmine does.
CREATE UNIQUE INDEX users_login_lower ON users (lower(login));

-- API keys, never in plain text: digest is a keyed BLAKE2b of the key
-- (lookup), sealed a secretbox of it (display). One key per user.
CREATE TABLE tokens (
	id bigserial PRIMARY KEY,
	user_id bigint NOT NULL UNIQUE REFERENCES users ON DELETE CASCADE,
	digest bytea NOT NULL UNIQUE CHECK (length(digest) = 32),
	sealed bytea NOT NULL,
	created_on timestamptz NOT NULL DEFAULT now(),
	last_used_on timestamptz
);

CREATE TABLE settings (
	name text PRIMARY KEY,
	value text NOT NULL,
	updated_on timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (name, value) VALUES
	('rest_api_enabled', '0'),
	('login_required', '0');

-- Every change to settings, however made (admin page, CLI, plain SQL),
-- tells the workers, which LISTEN on this channel.
CREATE FUNCTION settings_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('latchkey_settings', '');
	RETURN NULL;
END $$;
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON settings FOR EACH STATEMENT EXECUTE FUNCTION settings_notify();

CREATE TABLE projects (
	id bigserial PRIMARY KEY,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	identifier text NOT NULL UNIQUE
		CHECK (identifier ~ '^[a-z][a-z0-9_-]{0,99}$'),
	description text NOT NULL DEFAULT '',
	homepage text NOT NULL DEFAULT '',
	is_public boolean NOT NULL DEFAULT true,
	status smallint NOT NULL DEFAULT 1,
	inherit_members boolean NOT NULL DEFAULT false,
	created_on timestamptz NOT NULL DEFAULT now(),
	updated_on timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE members (
	id bigserial PRIMARY KEY,
	project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
	role text NOT NULL CHECK (role IN ('viewer', 'contributor', 'manager')),
	UNIQUE (user_id, project_id)
);
CREATE INDEX members_project ON members (project_id);

CREATE TABLE trackers (
	id serial PRIMARY KEY,
	name text NOT NULL UNIQUE,
	position integer NOT NULL
);
INSERT INTO trackers (id, name, position) VALUES
	(1, 'Bug', 1), (2, 'Feature', 2), (3, 'Support', 3);

CREATE TABLE issue_statuses (
	id serial PRIMARY KEY,
	name text NOT NULL UNIQUE,
	is_closed boolean NOT NULL DEFAULT false,
	position integer NOT NULL
);
INSERT INTO issue_statuses (id, name, is_closed, position) VALUES
	(1, 'New', false, 1), (2, 'In Progress', false, 2),
	(3, 'Resolved', false, 3), (4, 'Feedback', false, 4),
	(5, 'Closed', true, 5), (6, 'Rejected', true, 6);

CREATE TABLE issue_priorities (
	id serial PRIMARY KEY,
	name text NOT NULL UNIQUE,
	position integer NOT NULL,
	is_default boolean NOT NULL DEFAULT false
);
INSERT INTO issue_priorities (id, name, position, is_default) VALUES
	(1, 'Low', 1, false), (2, 'Normal', 2, true), (3, 'High', 3, false),
	(4, 'Urgent', 4, false), (5, 'Immediate', 5, false);

SELECT setval('trackers_id_seq', 3), setval('issue_statuses_id_seq', 6),
	setval('issue_priorities_id_seq', 5);

CREATE TABLE issues (
	id bigserial PRIMARY KEY,
	project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
	tracker_id integer NOT NULL REFERENCES trackers,
	status_id integer NOT NULL REFERENCES issue_statuses,
	priority_id integer NOT NULL REFERENCES issue_priorities,
	author_id bigint NOT NULL REFERENCES users,
	assigned_to_id bigint REFERENCES users ON DELETE SET NULL,
	subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
	description text NOT NULL DEFAULT '',
	start_date date,
	due_date date,
	done_ratio integer NOT NULL DEFAULT 0 CHECK (done_ratio BETWEEN 0 AND 100),
	is_private boolean NOT NULL DEFAULT false,
	estimated_hours double precision,
	created_on timestamptz NOT NULL DEFAULT now(),
	updated_on timestamptz NOT NULL DEFAULT now(),
	closed_on timestamptz
);
CREATE INDEX issues_project ON issues (project_id, id DESC);

CREATE TABLE journals (
	id bigserial PRIMARY KEY,
	issue_id bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users,
	notes text NOT NULL DEFAULT '',
	private_notes boolean NOT NULL DEFAULT false,
	created_on timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journals_issue ON journals (issue_id, id);

CREATE TABLE news (
	id bigserial PRIMARY KEY,
	project_id bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
	author_id bigint NOT NULL REFERENCES users,
	title text NOT NULL CHECK (length(title) BETWEEN 1 AND 60),
	summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 255),
	description text NOT NULL DEFAULT '',
	created_on timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX news_project ON news (project_id, id DESC);

-- Data sets loaded by `latchkey load`, by content digest, so loading the
-- same file twice is a no-op.
CREATE TABLE datasets (
	digest text PRIMARY KEY,
	name text NOT NULL,
	loaded_on timestamptz NOT NULL DEFAULT now()
);

-- Times go out as ISO 8601 UTC, Redmine's API format: 2026-01-02T03:04:05Z.
CREATE FUNCTION iso8601(t timestamptz) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;
