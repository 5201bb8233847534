"""Fail unless the wheel carries the templates, static files, catalogs, migrations and Unicode data; print their counts."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(wheel: str) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {
        "templates": [n for n in names if n.startswith("forum/templates/") and n.endswith(".html")],
        "static files": [n for n in names if n.startswith("forum/static/")],
        "catalogs": [n for n in names if n.startswith("forum/locale/") and n.endswith(".po")],
        "migrations": [n for n in names if n.startswith("forum/migrations/0") and n.endswith(".py")],
        "Unicode data files": [n for n in names if n.startswith("forum/unicode/") and n.endswith(".txt")],
    }
    expected = {
        "templates": len(list((REPO / "templates").rglob("*.html"))),
        "static files": len([p for p in (REPO / "static").rglob("*") if p.is_file()]),
        "catalogs": len(list((REPO / "forum" / "locale").glob("*/LC_MESSAGES/*.po"))),
        "migrations": len(list((REPO / "forum" / "migrations").glob("0*.py"))),
        "Unicode data files": len(list((REPO / "forum" / "unicode").glob("*.txt"))),
    }
    print("wheel contents:", ", ".join(f"{len(files)} {kind}" for kind, files in shipped.items()))
    missing = [kind for kind, files in shipped.items() if len(files) != expected[kind] or not files]
    if missing:
        sys.exit(f"the wheel lacks {', '.join(missing)}: expected {expected}")


if __name__ == "__main__":
    main(sys.argv[1])
