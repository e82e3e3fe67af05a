"""Find PostgreSQL and Redis for `make test` and print the shell exports to use them.

With DATABASE_URL / REDIS_URL already set, those win. Otherwise the local servers at
127.0.0.1:5432 and :6379 are used when they answer. When one does not: outside CI we say
so and fall back (SQLite, in-memory broker; the tests that need the server skip with
that reason); with CI=true that is an error.
"""

import os
import socket
import sys


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    exports: dict[str, str] = {}
    missing: list[str] = []

    if not os.environ.get("DATABASE_URL"):
        if answers("127.0.0.1", 5432):
            exports["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/runclinic"
        else:
            missing.append("PostgreSQL at 127.0.0.1:5432")
    if not os.environ.get("REDIS_URL"):
        if answers("127.0.0.1", 6379):
            exports["REDIS_URL"] = "redis://127.0.0.1:6379/15"
        else:
            missing.append("Redis at 127.0.0.1:6379")

    if missing:
        what = " and ".join(missing)
        if ci:
            print(f"echo 'CI: {what} did not answer; the suite needs them in CI.' >&2; exit 1")
            return 0
        print(
            f"echo '*** {what} did not answer: running on the embedded fallback "
            f"(SQLite / in-memory broker); tests that need the server are skipped. ***' >&2"
        )
    for key, value in exports.items():
        print(f"export {key}='{value}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
