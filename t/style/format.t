#!/bin/sh
# The formatter decides layout (STYLE.md, rule 9): every C file of the
# project must be as clang-format leaves it under the committed
# .clang-format. One TAP line per file; fix with `clang-format -i FILE`.
cd "$(dirname "$0")/../.." || exit 1
# deploy/dev/deps test installs it: missing, the check fails rather than
# passing unseen.
if ! command -v clang-format >/dev/null 2>&1; then
	echo "not ok 1 - clang-format is installed (deploy/dev/deps test)"
	echo "1..1"
	exit 1
fi
n=0 bad=0
for f in $(git ls-files 'lib/*.[ch]' 'app/*.[ch]' 't/*.[ch]' 2>/dev/null ||
	find lib app t -name '*.[ch]'); do
	n=$((n + 1))
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "ok $n - $f is formatted"
	else
		echo "not ok $n - $f is formatted (clang-format -i $f)"
		bad=$((bad + 1))
	fi
done
echo "1..$n"
[ "$bad" -eq 0 ]
