"""Write notebooks/<id>.ipynb for every bundled paper from its published record.

The notebooks are built by :func:`replication.report.notebook.build`; this script stores them
without outputs.

Usage::

    python scripts/build_notebooks.py            # write all notebooks
    python scripts/build_notebooks.py --check    # exit 1 if a notebook differs from what would be written
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replication.report.notebook import build, dumps  # noqa: E402
from replication.record.schema import paper_ids  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if a notebook is out of date")
    ap.add_argument("papers", nargs="*")
    args = ap.parse_args(argv)
    out_dir = ROOT / "notebooks"
    out_dir.mkdir(exist_ok=True)
    stale = []
    for pid in args.papers or paper_ids():
        texts = {out_dir / f"{pid}.ipynb": dumps(build(pid))}
        for path, text in texts.items():
            if args.check:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    stale.append(path.name)
                continue
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run python scripts/build_notebooks.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
