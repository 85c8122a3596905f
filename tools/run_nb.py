#!/usr/bin/env python
"""Execute notebooks in a real Jupyter kernel, the way a reader's "Run All" does, skipping flagged cells.

Cells whose directives carry a flag from settings.ini's `tst_flags` (`#| gpu`, `#| slow`) are skipped unless the flag
is passed with --flags, exactly as nbdev_test skips them; `#| eval: false` cells run too (Jupyter does not honour
that directive, so a reader's Run All runs them). Under --check a flagged cell that guards its body with
`if flagged("slow")` / `if flagged("gpu")` (see 00_core) runs too, and skips itself, as in a reader's kernel; with
--strict-flags a flagged cell without that guard fails its notebook. Skipped cells keep the
outputs they had (so committed GPU outputs survive a CPU re-run).

  python tools/run_nb.py nbs/03_context.ipynb            # run, and save outputs into the notebook
  python tools/run_nb.py --check nbs/*.ipynb             # run in test mode (IN_TEST=1), save nothing, fail on error
  python tools/run_nb.py --flags slow nbs/11_repro.ipynb # also run the slow cells

A notebook that raises, times out (--timeout seconds for one cell; 600 under --check, 3600 otherwise) or kills its
kernel is reported as failed and the next notebook still runs. Each line names the notebook's slowest cell.
"""
import argparse, copy, os, re, sys, time
from configparser import ConfigParser
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
_directive = re.compile(r"^\s*#\|\s*(.*)$")

def directives(src):
    "The nbdev directives (`#| ...` lines) at the top of a cell, as a list of strings."
    out = []
    for line in src.splitlines():
        m = _directive.match(line)
        if m: out.append(m.group(1).strip())
        elif line.strip(): break
    return out

def cell_flags(cell, tst_flags):
    "The test flags (`slow`, `gpu`) among a cell's directives."
    return {w for d in directives(cell.source) for w in re.split(r"[\s:]+", d) if w in tst_flags}

def guards_itself(cell, flag):
    "A flagged cell that a reader's Run All can run: its body is under `if flagged(\"flag\")`."
    return re.search(rf"""flagged\(\s*["']{flag}["']""", cell.source) is not None

def skip_reason(cell, tst_flags, flags, check=False):
    "Why this cell is skipped (a string), or None if it runs."
    if "nbdev_export(" in cell.source: return "exports (as under nbdev_test)"
    for w in cell_flags(cell, tst_flags):
        if w in flags: continue
        if check and guards_itself(cell, w): continue   # runs, as in a reader's kernel, and skips itself
        return f"needs --flags {w}"
    return None

def run(path, flags, check, timeout):
    cfg = ConfigParser(); cfg.read(ROOT/"settings.ini")
    tst_flags = set(cfg["DEFAULT"].get("tst_flags", "").split())
    nb = nbformat.read(path, as_version=4)
    work = copy.deepcopy(nb)
    skipped, unguarded = 0, set()
    for c in work.cells:
        if c.cell_type == "code":
            unguarded.update(w for w in cell_flags(c, tst_flags) if w not in flags and not guards_itself(c, w))
            why = skip_reason(c, tst_flags, flags, check)
            if why: c.source, skipped = f"# skipped: {why}", skipped + 1
    env_before, flags_before = os.environ.get("IN_TEST"), os.environ.get("DILATED_REPRO_FLAGS")
    if check: os.environ["IN_TEST"] = "1"
    os.environ["DILATED_REPRO_FLAGS"] = " ".join(sorted(flags))   # what `core.flagged` reads in the kernel
    started, took = {}, {}   # cell index -> seconds, to name the slowest cell
    try:
        client = NotebookClient(work, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(Path(path).parent)}},
                                on_cell_start=lambda cell, cell_index: started.__setitem__(cell_index, time.time()),
                                on_cell_executed=lambda cell, cell_index, execute_reply:
                                    took.__setitem__(cell_index, time.time() - started.get(cell_index, time.time())))
        client.execute()
    finally:
        for k, v in (("IN_TEST", env_before), ("DILATED_REPRO_FLAGS", flags_before)):
            if v is None: os.environ.pop(k, None)
            else: os.environ[k] = v
    if not check:
        for c, w in zip(nb.cells, work.cells):
            if c.cell_type == "code" and not skip_reason(c, tst_flags, flags, check):
                c.outputs, c.execution_count = w.outputs, w.execution_count
        nb.metadata = {"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}}
        nbformat.write(nb, path)
    slowest = max(took, key=took.get) if took else None
    return skipped, unguarded, (slowest, took[slowest]) if took else None

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--flags", default="", help="space-separated flags whose cells should run (e.g. 'slow')")
    p.add_argument("--check", action="store_true", help="test mode: IN_TEST=1, outputs not saved; flagged cells that "
                   "guard themselves with `if flagged(...)` run (and skip themselves), as in a reader's Run All")
    p.add_argument("--strict-flags", action="store_true", help="with --check: fail a notebook with a flagged cell "
                   "that does not guard itself")
    p.add_argument("--timeout", type=int, default=None, help="seconds allowed per cell (default 600 with --check, else 3600)")
    a = p.parse_args(argv)
    timeout = a.timeout or (600 if a.check else 3600)
    flags, failed = set(a.flags.split()), []
    for path in a.notebooks:
        t0 = time.time()
        try:
            n, unguarded, slow = run(path, flags, a.check, timeout)
            print(f"ok     {path}  ({time.time()-t0:.0f} s, {n} flagged cells skipped"
                  + (f"; slowest cell {slow[0]}: {slow[1]:.0f} s" if slow else "") + ")", flush=True)
            if unguarded and a.check:
                msg = (f"{path}: {'/'.join(sorted(unguarded))} cells that do not skip themselves in a reader's kernel "
                       "(guard the body with `if flagged(...)`: see 00_core)")
                if a.strict_flags: failed.append(path); print(f"FAILED {msg}", flush=True)
                else: print(f"warn   {msg}", flush=True)
        except CellExecutionError as e:
            failed.append(path)
            print(f"FAILED {path}\n{str(e)[-3000:]}", flush=True)
        except CellTimeoutError as e:
            failed.append(path)
            print(f"FAILED {path}: a cell ran over {timeout} s (--timeout)\n{str(e)[-1500:]}", flush=True)
        except (DeadKernelError, RuntimeError, OSError) as e:
            failed.append(path)
            print(f"FAILED {path}: {type(e).__name__}: {e}", flush=True)
    print(f"{len(a.notebooks)-len(failed)} passed, {len(failed)} failed (real kernel)")
    return 1 if failed else 0

if __name__ == "__main__": sys.exit(main())
