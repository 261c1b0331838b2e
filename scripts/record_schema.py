"""Write the record schema (docs/record-schema.json) and its field reference (docs/record-fields.md).

Both are generated from the record's pydantic models by replication.record.json_schema.

    python scripts/record_schema.py            # write both files
    python scripts/record_schema.py --check    # exit 1 if a file differs from what would be written
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from replication.record.json_schema import fields_markdown, record_schema, schema_text  # noqa: E402

OUTPUTS = {"docs/record-schema.json": schema_text, "docs/record-fields.md": lambda: fields_markdown(record_schema())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = ap.parse_args(argv)
    stale = []
    for rel, make in OUTPUTS.items():
        path = ROOT / rel
        text = make()
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {rel}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/record_schema.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
