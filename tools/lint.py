#!/usr/bin/env python
"""Lint the exported library the way CI does: ruff for undefined names (F821), redefinitions (F811) and statements
joined on one line (E702 `a; b`, E703 trailing `;`), and a line-length check at 120 characters.

The length check is ours rather than ruff's E501 because nbdev writes each module's `__all__` itself, wrapping the
names at 120 characters *after* the `__all__ = ` prefix; those generated lines are the only ones allowed past 120.
Exit status 1 and one line per problem when anything is found.

  python tools/lint.py            # the whole library
  python tools/lint.py dilated_repro/runbook.py
"""
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 120

def long_lines(paths) -> list:
    "`path:line: N > 120` for every over-long line that nbdev did not generate."
    out = []
    for p in paths:
        in_all = False
        for i, line in enumerate(Path(p).read_text().splitlines(), 1):
            in_all = line.startswith("__all__ = [") or (in_all and line.startswith(" " * 11))
            if len(line) > WIDTH and not in_all: out.append(f"{p}:{i}: line of {len(line)} > {WIDTH} characters")
    return out

def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or sorted(p for p in (ROOT/"dilated_repro").rglob("*.py") if p.name != "_modidx.py")
    rc = subprocess.run(["ruff", "check", "--select", "F821,F811,E702,E703", "--output-format", "concise",
                         "--exclude", "_modidx.py", *map(str, paths)]).returncode
    longs = long_lines(paths)
    print("\n".join(longs) if longs else f"line length: ok ({len(paths)} files, at most {WIDTH} characters)")
    return 1 if rc or longs else 0

if __name__ == "__main__": sys.exit(main())
