"""What every area's routes share: the `id` path converter and reading ids from queries and forms.

Ids are at most nine digits: larger numbers are no row of ours.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request

from forum.errors import NotFound


class IdConvertor(Convertor[int]):
    # Starlette's "int" accepts any length, and a 30-digit id overflows the database driver.
    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())


def parse_id(raw: str | None) -> int | None:
    """An id from a form or query value: ASCII digits only, at most nine; None for anything else."""
    raw = (raw or "").strip()
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw)


def int_param(request: Request, name: str, default: int | None) -> int | None:
    """A numeric query parameter; 404 for anything but a plain number (a page that cannot exist)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = parse_id(raw)
    if value is None:
        raise NotFound()
    return value
