"""What the Python tests share: the binary, the oracle's path, a check()
that prints one line per assertion and counts, and the closing line."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("GEOREACH_SHARED", os.path.join(HERE, "..", "..", "shared"))
ORACLE = os.path.join(SHARED, "tools", "ring_oracle.py")
DATA = os.path.join(HERE, "..", "data")
BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None

_passed = 0
_fails = []


def check(ok, what):
    """Print 'ok' or 'FAIL' and the claim; count it."""
    global _passed
    print(("ok   " if ok else "FAIL ") + what)
    if ok:
        _passed += 1
    else:
        _fails.append(what)
    return ok


def done():
    """Print 'N passed, N failed' and exit non-zero on any failure."""
    print("%d passed, %d failed" % (_passed, len(_fails)))
    sys.exit(1 if _fails else 0)
