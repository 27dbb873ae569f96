-- iso8601() was declared IMMUTABLE around to_char(), which is only STABLE;
-- PostgreSQL does not inline a function declared more immutable than its
-- body, so every row paid an SQL-function call. STABLE (and not STRICT:
-- to_char of NULL is NULL anyway) lets the planner inline it into each
-- query as the expression itself.
CREATE OR REPLACE FUNCTION iso8601(t timestamptz) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;
