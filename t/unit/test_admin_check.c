/*
 * test_admin_check.c: the admin tool's checks of logins, names, mail
 * addresses and project identifiers, and admin_shown.
 */
#include "admin.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

enum kind { LOGIN, FIRST, LAST, MAIL, IDENT };

static const struct {
	enum kind kind;
	const char *what;
	const char *s;
	size_t len;
	const char *want; /* NULL: accepted */
} rows[] = {
	{ LOGIN, "plain", S("alice"), NULL },
	{ LOGIN, "Redmine's characters", S("a.b-c_d@e"), NULL },
	{ LOGIN, "UTF-8", S("j\xc3\xb6rg"), NULL },
	{ LOGIN, "inner space", S("jo smith"), NULL },
	{ LOGIN, "empty", S(""), "empty" },
	{ LOGIN, "leading space", S(" alice"), "has surrounding spaces" },
	{ LOGIN, "trailing space", S("alice "), "has surrounding spaces" },
	{ LOGIN, "trailing tab", S("alice\t"), "holds a control character" },
	{ LOGIN, "newline", S("al\nice"), "holds a control character" },
	{ LOGIN, "DEL", S("al\x7fice"), "holds a control character" },
	{ LOGIN, "C1 control U+0085", S("al\xc2\x85ice"),
	    "holds a control character" },
	{ LOGIN, "U+00A0 is not a C1 control", S("al\xc2\xa0ice"), NULL },
	{ LOGIN, "colon", S("al:ice"), "holds a colon" },
	{ LOGIN, "bad UTF-8", S("al\xc3ice"), "not valid UTF-8" },
	{ LOGIN, "NUL", S("al\0ice"), "not valid UTF-8" },
	{ FIRST, "plain", S("Ada"), NULL },
	{ FIRST, "30 characters", S("abcdefghijabcdefghijabcdefghij"), NULL },
	{ FIRST, "31 characters", S("abcdefghijabcdefghijabcdefghijk"),
	    "longer than 30 characters" },
	{ FIRST, "30 two-byte characters (60 bytes)",
	    S("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
	      "\xa9"
	      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
	      "\xa9"
	      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
	      "\xa9"
	      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
	    NULL },
	{ FIRST, "empty", S(""), "empty" },
	{ LAST, "two words", S("van Rossum"), NULL },
	{ LAST, "surrounding space", S("Member "), "has surrounding spaces" },
	{ MAIL, "plain", S("alice@example.net"), NULL },
	{ MAIL, "plus and dots", S("a.b+tag@mail.example.co.uk"), NULL },
	{ MAIL, "IDN domain",
	    S("x@b\xc3\xbc"
	      "cher.de"),
	    NULL },
	{ MAIL, "empty", S(""), "empty" },
	{ MAIL, "no at", S("alice.example.net"),
	    "not a mail address (one @ after a local part)" },
	{ MAIL, "two ats", S("a@b@example.net"),
	    "not a mail address (one @ after a local part)" },
	{ MAIL, "no local part", S("@example.net"),
	    "not a mail address (one @ after a local part)" },
	{ MAIL, "no dot in the domain", S("alice@localhost"),
	    "not a mail address (the domain has no dot)" },
	{ MAIL, "empty domain", S("alice@"),
	    "not a mail address (the domain has no dot)" },
	{ MAIL, "trailing dot", S("alice@example."),
	    "not a mail address (an empty or bad label in the domain)" },
	{ MAIL, "double dot", S("alice@example..net"),
	    "not a mail address (an empty or bad label in the domain)" },
	{ MAIL, "hyphen label", S("alice@-example.net"),
	    "not a mail address (an empty or bad label in the domain)" },
	{ MAIL, "underscore in domain", S("alice@ex_ample.net"),
	    "not a mail address (a bad character in the domain)" },
	{ MAIL, "space", S("alice smith@example.net"),
	    "not a mail address (holds a space)" },
	{ MAIL, "newline", S("alice@example.net\n"), "not a mail address" },
	{ IDENT, "plain", S("public-proj"), NULL },
	{ IDENT, "digits and underscore", S("p_2"), NULL },
	{ IDENT, "one letter", S("a"), NULL },
	{ IDENT, "empty", S(""), "empty" },
	{ IDENT, "starts with a digit", S("1proj"),
	    "must start with a lowercase letter" },
	{ IDENT, "uppercase", S("Proj"), "must start with a lowercase letter" },
	{ IDENT, "uppercase inside", S("pRoj"),
	    "only a-z, 0-9, - and _ are allowed" },
	{ IDENT, "space", S("my proj"), "only a-z, 0-9, - and _ are allowed" },
	{ IDENT, "new", S("new"), "'new' is reserved" },
	{ IDENT, "news is fine", S("news"), NULL },
};

static const char *
check(enum kind k, const char *s, size_t len)
{
	switch (k) {
	case LOGIN:
		return admin_check_login(s, len);
	case FIRST:
		return admin_check_name(s, len, ADMIN_FIRSTNAME_MAX);
	case LAST:
		return admin_check_name(s, len, ADMIN_LASTNAME_MAX);
	case MAIL:
		return admin_check_mail(s, len);
	case IDENT:
		return admin_check_identifier(s, len);
	}
	return "?";
}

static const char *
kind_name(enum kind k)
{
	switch (k) {
	case LOGIN:
		return "login";
	case FIRST:
		return "firstname";
	case LAST:
		return "lastname";
	case MAIL:
		return "mail";
	case IDENT:
		return "identifier";
	}
	return "?";
}

int
main(void)
{
	char big[300], out[16];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = check(rows[i].kind, rows[i].s, rows[i].len);

		if (rows[i].want == NULL)
			ok(got == NULL, "%s: %s: accepted%s%s",
			    kind_name(rows[i].kind), rows[i].what,
			    got ? " but got: " : "", got ? got : "");
		else
			is_str(got, rows[i].want, "%s: %s: refused",
			    kind_name(rows[i].kind), rows[i].what);
	}

	memset(big, 'a', sizeof(big));
	ok(admin_check_login(big, 255) == NULL, "login of 255 bytes");
	is_str(admin_check_login(big, 256), "longer than 255 bytes",
	    "login of 256 bytes");
	is_str(admin_check_name(big, 256, ADMIN_LASTNAME_MAX),
	    "longer than 255 characters", "lastname of 256 characters");
	memcpy(big, "a@", 2);
	memcpy(big + 250, ".net", 4);
	is_str(admin_check_mail(big, 255), "longer than 254 bytes",
	    "mail of 255 bytes");
	is_str(admin_check_identifier(big, 101), "longer than 100 characters",
	    "identifier of 101 characters");

	is_int(lk_utf8_chars(S("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")), 4,
	    "lk_utf8_chars counts characters, not bytes");

	is_str(admin_shown(S("alice"), out, sizeof(out)), "alice",
	    "shown: short text as it is");
	is_str(admin_shown(S("a\nb\x1b[0m"), out, sizeof(out)), "a?b?[0m",
	    "shown: control characters become ?");
	is_str(admin_shown(S("a\xc3z"), out, sizeof(out)), "a?z",
	    "shown: bad UTF-8 becomes ?");
	is_str(admin_shown(S("abcdefghijklmnopqrstuvwxyz"), out, sizeof(out)),
	    "abcdefghijkl...", "shown: long text cut with ...");
	is_str(admin_shown(S("abcdefghijk\xc3\xa9\xc3\xa9"), out, sizeof(out)),
	    "abcdefghijk...", "shown: never cuts a character in two");
	return tap_done();
}
