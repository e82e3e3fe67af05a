"""Lines of Python per folder (non-migration files): the before/after figures of the
architecture work (#13). Run from anywhere: `python3 scripts/line_counts.py`."""

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("clinic", "runners", "booking", "devtools", "tests")
PRODUCT = ("clinic", "runners", "booking")


def main() -> int:
    files = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and "node_modules" not in path.parts
    ]
    lines = {f: len((ROOT / f).read_text().splitlines()) for f in files}
    folders: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, count in lines.items():
        parts = name.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth]) + "/"
            folders[folder][0] += count
            folders[folder][1] += 1
    print("| folder | lines | files |\n|---|---|---|")
    for folder in sorted(folders):
        print(f"| {folder} | {folders[folder][0]:,} | {folders[folder][1]} |")
    product = [n for n in lines if n.split("/")[0] in PRODUCT]
    total = sum(lines[n] for n in product)
    print(f"| product (clinic, runners, booking) | {total:,} | {len(product)} |")
    big = sorted(((c, n) for n, c in lines.items() if c > 400 and not n.startswith("tests/")))
    print("\nOver 400 lines:", ", ".join(f"{n} ({c})" for c, n in reversed(big)) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
