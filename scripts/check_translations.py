#!/usr/bin/env python3
"""Fail on any untranslated or fuzzy entry in the project's catalogues.

Usage: scripts/check_translations.py [PO_FILE ...]   (default: every locale/*/LC_MESSAGES/*.po)
Exit 0 when every live entry (obsolete `#~` ones aside) is translated and none is fuzzy;
exit 1 naming each offending entry by file, line and msgid. Pure Python: no gettext tools.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgstrs: list[str] = field(default_factory=list)


def _unquote(text: str) -> str:
    # A .po string literal is a C string; Python's literal syntax reads it the same way.
    return ast.literal_eval(text.strip())


def parse(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: str | None = None  # which field continuation lines ("...") extend

    def flush() -> None:
        nonlocal current, target
        if current is not None and (current.msgid or current.msgstrs):
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue  # obsolete: gettext ignores it
        if line.startswith("#"):
            if current is not None and (current.msgid or current.msgstrs):
                flush()
            current = current or Entry(line=number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        current = current or Entry(line=number)
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
        elif keyword in {"msgctxt", "msgid", "msgid_plural"} or keyword.startswith("msgstr"):
            if keyword == "msgctxt" and (current.msgid or current.msgstrs):
                flush()
                current = Entry(line=number)
            target, value = keyword, _unquote(rest)
            if target.startswith("msgstr"):
                current.msgstrs.append("")
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        if target == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif target == "msgid":
            current.msgid += value
        elif target is not None and target.startswith("msgstr"):
            current.msgstrs[-1] += value
    flush()
    return entries


def problems(path: Path) -> list[str]:
    found = []
    for entry in parse(path):
        if entry.msgid == "" and entry.msgctxt is None:
            continue  # the header
        if "fuzzy" in entry.flags:
            kind = "fuzzy"
        elif not entry.msgstrs or any(s == "" for s in entry.msgstrs):
            kind = "untranslated"
        else:
            continue
        context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        found.append(f"{shown}:{entry.line}: {kind}: {entry.msgid!r}{context}")
    return found


def main(argv: list[str]) -> int:
    paths = [Path(arg).resolve() for arg in argv] or sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po"))
    if not paths:
        print("check_translations: no catalogue found under locale/", file=sys.stderr)
        return 1
    found = [problem for path in paths for problem in problems(path)]
    for problem in found:
        print(problem)
    if found:
        print(f"check_translations: {len(found)} untranslated or fuzzy entries", file=sys.stderr)
        return 1
    print(f"check_translations: {len(paths)} catalogue(s), every entry translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
