/*
 * admin_check.c: the admin tool's checks of what people type or load:
 * logins, names, mail addresses, project identifiers. Pure functions of a
 * buffer and a length, shared by `latchkey user` and `latchkey load` so
 * both refuse the same things with the same words, and unit-tested.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"

/* True if s[0..len) (valid UTF-8) holds a C0 or C1 control character or
 * DEL: they would garble terminals, tables and log lines. */
static bool
has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return true;
		/* U+0080..U+009F are C2 80..C2 9F. */
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] <= 0x9f)
			return true;
	}
	return false;
}

static bool
has_surrounding_space(const char *s, size_t len)
{
	return len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
			      s[len - 1] == '\t');
}

const char *
admin_check_login(const char *s, size_t len)
{
	if (len == 0)
		return "empty";
	if (len > LK_LOGIN_MAX)
		return "longer than 255 bytes";
	if (!lk_utf8_valid(s, len))
		return "not valid UTF-8";
	if (has_control(s, len))
		return "holds a control character";
	if (has_surrounding_space(s, len))
		return "has surrounding spaces";
	/* Basic authentication splits user:password at the first colon, so
	 * such a login could never sign in with a password. */
	if (memchr(s, ':', len) != NULL)
		return "holds a colon";
	return NULL;
}

const char *
admin_check_name(const char *s, size_t len, size_t maxchars)
{
	if (len == 0)
		return "empty";
	if (!lk_utf8_valid(s, len))
		return "not valid UTF-8";
	if (lk_utf8_chars(s, len) > maxchars)
		return maxchars == ADMIN_FIRSTNAME_MAX
			   ? "longer than 30 characters"
			   : "longer than 255 characters";
	if (has_control(s, len))
		return "holds a control character";
	if (has_surrounding_space(s, len))
		return "has surrounding spaces";
	return NULL;
}

const char *
admin_check_mail(const char *s, size_t len)
{
	const char *at, *dom, *end = s + len, *label;
	size_t i;

	if (len == 0)
		return "empty";
	if (len > ADMIN_MAIL_MAX)
		return "longer than 254 bytes";
	if (!lk_utf8_valid(s, len) || has_control(s, len))
		return "not a mail address";
	for (i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '\t')
			return "not a mail address (holds a space)";
	at = memchr(s, '@', len);
	if (at == NULL || at == s ||
	    memchr(at + 1, '@', (size_t)(end - at - 1)))
		return "not a mail address (one @ after a local part)";
	if (at - s > 64)
		return "not a mail address (local part over 64 bytes)";
	/* The domain: two labels at least, of letters, digits and hyphens
	 * (any non-ASCII byte too, for internationalised names), none empty
	 * and none starting or ending with a hyphen. */
	dom = at + 1;
	if (memchr(dom, '.', (size_t)(end - dom)) == NULL)
		return "not a mail address (the domain has no dot)";
	for (label = dom; label <= end; label++) {
		const char *p = label;

		while (p < end && *p != '.') {
			unsigned char c = (unsigned char)*p;

			if (!(c >= 0x80 || (c >= 'a' && c <= 'z') ||
				(c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '-'))
				return "not a mail address (a bad character in "
				       "the domain)";
			p++;
		}
		if (p == label || *label == '-' || p[-1] == '-')
			return "not a mail address (an empty or bad label in "
			       "the domain)";
		label = p;
	}
	return NULL;
}

const char *
admin_check_identifier(const char *s, size_t len)
{
	size_t i;

	/* The schema's CHECK, said in words before the database says it
	 * in SQL; "new" would clash with Redmine's /projects/new. */
	if (len == 0)
		return "empty";
	if (len > 100)
		return "longer than 100 characters";
	if (s[0] < 'a' || s[0] > 'z')
		return "must start with a lowercase letter";
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
			s[i] == '_'))
			return "only a-z, 0-9, - and _ are allowed";
	if (len == 3 && memcmp(s, "new", 3) == 0)
		return "'new' is reserved";
	return NULL;
}

const char *
admin_shown(const char *s, size_t len, char *out, size_t size)
{
	size_t i = 0, o = 0, cut = size > 4 ? size - 4 : 0;

	/* Copy whole characters while they fit before room for "..."; any
	 * byte that is not printable UTF-8 becomes '?'. */
	while (i < len && o < cut) {
		size_t n = 1;
		unsigned char c = (unsigned char)s[i];

		if (c >= 0xc0)
			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + n > len || !lk_utf8_valid(s + i, n) ||
		    has_control(s + i, n))
			n = 1;
		if (o + n > cut)
			break;
		if (n == 1 && (c < 0x20 || c >= 0x7f))
			out[o] = '?';
		else
			memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	if (i < len && size >= 4) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	if (size > 0)
		out[o < size ? o : size - 1] = '\0';
	return out;
}
