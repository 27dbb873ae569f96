"""tap.py: the smallest Test Anything Protocol emitter, for prove.

    import tap
    tap.ok(cond, "name"); tap.is_(got, want, "name"); tap.like(s, r"re", "n")
    tap.done_testing()      # prints the plan, exits with the failure count

An uncaught exception is reported as one more failing test with its
traceback, so a crashing script never looks like a passing one.
"""

import os
import re
import sys
import traceback

_count = 0
_failed = 0
_done = False
_at_end = []


def at_end(fn):
    """Run fn() just before the plan is printed, even after an uncaught
    exception: for checks that belong at the end (how a server stops)."""
    _at_end.append(fn)


def _emit(passed, name):
    global _count, _failed
    _count += 1
    if not passed:
        _failed += 1
    name = " ".join(str(name).split())  # one line, whatever it holds
    print("%sok %d - %s" % ("" if passed else "not ", _count, name),
          flush=True)
    if not passed:
        # Name the test script's line, not ours.
        for frame in reversed(traceback.extract_stack()):
            if frame.filename != __file__:
                diag("  Failed test '%s'\n  at %s line %d." % (
                    name, frame.filename, frame.lineno))
                break
    return passed


def diag(msg):
    """A comment prove shows always (stderr, like Test::More's diag)."""
    sys.stdout.flush()
    for line in str(msg).splitlines() or [""]:
        print("# " + line, file=sys.stderr, flush=True)


def note(msg):
    """A comment prove shows only with -v (stdout)."""
    for line in str(msg).splitlines() or [""]:
        print("# " + line, flush=True)


def ok(passed, name=""):
    return _emit(bool(passed), name)


def is_(got, want, name=""):
    if _emit(got == want, name):
        return True
    diag("         got: %r\n    expected: %r" % (got, want))
    return False


def isnt(got, unwanted, name=""):
    if _emit(got != unwanted, name):
        return True
    diag("         got: %r\n    expected: anything else" % (got,))
    return False


def like(got, pattern, name=""):
    passed = isinstance(got, str) and re.search(pattern, got) is not None
    if _emit(passed, name):
        return True
    diag("                  %r\n    doesn't match '%s'" % (got, pattern))
    return False


def unlike(got, pattern, name=""):
    passed = isinstance(got, str) and re.search(pattern, got) is None
    if _emit(passed, name):
        return True
    diag("                  %r\n          matches '%s'" % (got, pattern))
    return False


def failures():
    return _failed


def skip_all(reason):
    """Skip the whole file (plan 1..0)."""
    global _done
    _done = True
    _at_end.clear()
    print("1..0 # SKIP %s" % reason, flush=True)
    sys.exit(0)


def bail_out(reason):
    """Stop the whole prove run: nothing after this can be trusted."""
    global _done
    _done = True
    print("Bail out!  %s" % reason, flush=True)
    sys.exit(255)


def _finish():
    """Run the at_end hooks, print the plan; return the exit code."""
    global _done
    while _at_end:
        fn = _at_end.pop(0)
        try:
            fn()
        except Exception:
            _emit(False, "end-of-test check runs")
            diag(traceback.format_exc())
    _done = True
    print("1..%d" % _count, flush=True)
    return min(_failed, 254)


def done_testing():
    """Print the plan and exit; the exit code is the number of failures."""
    sys.exit(_finish())


def _excepthook(kind, value, tb):
    if _done:
        return sys.__excepthook__(kind, value, tb)
    _emit(False, "no uncaught exception")
    diag("".join(traceback.format_exception(kind, value, tb)))
    code = _finish()
    sys.stdout.flush()
    sys.stderr.flush()
    # Raising SystemExit in an excepthook is an error of its own: leave
    # directly (the at_end hooks have run).
    os._exit(max(code, 1))


sys.excepthook = _excepthook
