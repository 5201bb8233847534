"""The whole forum as one portable file: JSON lines, a header and then every row, table by table.

The tables, their order and their columns come from the models, so a column or a
table added to `models.py` is exported and imported without a change here.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from graphlib import TopologicalSorter
from pathlib import Path
from typing import IO, Any

from tortoise import Tortoise, connections
from tortoise.exceptions import BaseORMException, ValidationError
from tortoise.fields import BooleanField, DateField, DatetimeField, Field, JSONField
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.fields.relational import RelationalField
from tortoise.models import Model
from tortoise.transactions import in_transaction

from forum.db import APP

FORMAT = "forum-export"
VERSION = 1
BATCH = 500
SQLITE_MAGIC = b"SQLite format 3\x00"


class ArchiveError(Exception):
    """The file is not a usable export, or the database cannot take it; nothing was written."""


@dataclass(frozen=True)
class Table:
    model: type[Model]
    # Column name -> model field, in declaration order.
    columns: dict[str, Field[Any]]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def pk(self) -> str:
        return self.model._meta.db_pk_column


def tables() -> list[Table]:
    """Every table of the forum's models, each after the tables it refers to."""
    models = list(Tortoise.apps[APP].values())
    graph = TopologicalSorter[type[Model]]()
    for model in models:
        # A post's parent is another post: rows go in id order, so parents come first.
        graph.add(model, *(ref for ref in _references(model) if ref is not model))
    return [Table(model, _columns(model)) for model in graph.static_order()]


def _references(model: type[Model]) -> list[type[Model]]:
    meta = model._meta
    if meta.m2m_fields:
        # A many-to-many field has a table without a model: it would be left out.
        raise TypeError(f"{model.__name__}: many-to-many fields are not exported")
    fields = [meta.fields_map[name] for name in (*meta.fk_fields, *meta.o2o_fields)]
    return [field.related_model for field in fields if isinstance(field, RelationalField)]


def _columns(model: type[Model]) -> dict[str, Field[Any]]:
    meta = model._meta
    columns = {column: meta.fields_map[name] for name, column in meta.fields_db_projection.items()}
    for column, field in columns.items():
        if not _supported(field):
            raise TypeError(f"{model.__name__}.{column}: no export encoding for {type(field).__name__}")
    return columns


def _supported(field: Field[Any]) -> bool:
    return isinstance(field, DatetimeField | DateField | JSONField | CharEnumFieldInstance) or bool(
        field.field_type in (int, bool, str)
    )


def _is_postgres() -> bool:
    dialect: str = connections.get("default").capabilities.dialect
    return dialect == "postgres"


# Export


async def export(target: Path) -> dict[str, int]:
    """Write the whole forum to `target` (mode 600, replaced only once complete); returns the rows per table.

    Every row comes from one moment: a single read transaction, REPEATABLE READ on PostgreSQL
    (SQLite keeps a transaction's snapshot by itself).
    """
    async with in_transaction() as connection:
        if _is_postgres():
            await connection.execute_script("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = {table.name: await table.model.all().count() for table in tables()}
        header = {"format": FORMAT, "version": VERSION, "exported_at": _now(), "counts": counts}
        with private_path(target) as temporary, temporary.open("w", encoding="utf-8", newline="\n") as out:
            out.write(_dumps(header))
            async for line in _rows():
                out.write(line)
            out.flush()
            os.fsync(out.fileno())
    return counts


async def _rows() -> AsyncIterator[str]:
    for table in tables():
        last: Any = None
        while True:
            query = table.model.all().order_by(table.pk).limit(BATCH)
            if last is not None:
                query = query.filter(**{f"{table.pk}__gt": last})
            batch = await query
            for row in batch:
                yield _dumps({"table": table.name, "row": _encode(table, row)})
            if len(batch) < BATCH:
                break
            last = batch[-1].pk


def _encode(table: Table, row: Model) -> dict[str, Any]:
    values = {}
    for column, field in table.columns.items():
        value = getattr(row, field.model_field_name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, Enum):
            value = value.value
        values[column] = value
    return values


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _now() -> str:
    return datetime.now(UTC).isoformat()


@contextmanager
def private_path(target: Path) -> Iterator[Path]:
    """A new empty file beside `target`, readable by its owner only, renamed to `target` once the block succeeds.

    Password hashes are inside: never readable by others, and never a half-written file under the final name.
    """
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise ArchiveError(f"cannot write {target}: {exc.strerror}") from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        try:
            os.replace(temporary, target)
        except OSError as exc:
            raise ArchiveError(f"cannot write {target}: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)


# Import


async def import_file(source: Path, *, replace: bool = False) -> dict[str, int]:
    """Load an export into the database, keeping every id; returns the rows per table.

    The database must hold no forum yet, unless `replace`, which deletes what it holds first.
    All in one transaction: on any error (ArchiveError) the database is left as it was.
    """
    known = tables()
    by_name = {table.name: table for table in known}
    with _lines(source) as lines:
        counts = _header(lines, [table.name for table in known])
        async with in_transaction():
            await _make_room(known, replace)
            seen = dict.fromkeys(by_name, 0)
            position = 0
            batch: list[Model] = []
            for number, line in lines:
                name, values = _row(number, line)
                table = by_name.get(name)
                if table is None:
                    raise ArchiveError(f"line {number}: unknown table {name!r}")
                index = known.index(table)
                if index < position:
                    raise ArchiveError(f"line {number}: {name} rows must come before {known[position].name} rows")
                if batch and (index != position or len(batch) >= BATCH):
                    await _insert(known[position], batch, number - 1)
                    batch = []
                position = index
                batch.append(_decode(table, values, number))
                seen[name] += 1
            if batch:
                await _insert(known[position], batch, number)
            if seen != counts:
                missing = ", ".join(
                    f"{name} {seen[name]} of {counts[name]}" for name in counts if seen[name] != counts[name]
                )
                raise ArchiveError(f"the file is incomplete or altered: rows found differ from its header ({missing})")
            if _is_postgres():
                await _reset_sequences(known)
    return counts


@contextmanager
def _lines(source: Path) -> Iterator[Iterator[tuple[int, str]]]:
    try:
        raw = source.open("rb")
    except OSError as exc:
        raise ArchiveError(f"cannot read {source}: {exc.strerror}") from None
    with raw:
        if raw.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
            raise ArchiveError(f"{source} is a SQLite backup, not an export: use `forum restore`")
        raw.seek(0)
        yield _decoded(raw)


def _decoded(raw: IO[bytes]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(raw, start=1):
        try:
            yield number, line.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(f"line {number} is not UTF-8 text: this is not a forum export") from None


def _header(lines: Iterator[tuple[int, str]], names: list[str]) -> dict[str, int]:
    first = next(lines, None)
    try:
        header = json.loads(first[1]) if first else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ArchiveError(f"this is not a forum export (its first line must be a {FORMAT} header)")
    if header.get("version") != VERSION:
        raise ArchiveError(
            f"export version {header.get('version')!r} is not supported; this forum reads version {VERSION}"
        )
    counts = header.get("counts")
    if not isinstance(counts, dict) or set(counts) != set(names) or not all(_is_count(n) for n in counts.values()):
        raise ArchiveError(f"the header must count the rows of exactly these tables: {', '.join(names)}")
    return counts


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0


def _row(number: int, line: str) -> tuple[str, dict[str, Any]]:
    try:
        item = json.loads(line)
    except ValueError:
        raise ArchiveError(f"line {number} is not valid JSON (the file may be cut short)") from None
    if not isinstance(item, dict) or not isinstance(item.get("table"), str) or not isinstance(item.get("row"), dict):
        raise ArchiveError(f'line {number}: expected {{"table": ..., "row": {{...}}}}')
    return item["table"], item["row"]


def _decode(table: Table, values: dict[str, Any], number: int) -> Model:
    if set(values) != set(table.columns):
        expected, given = set(table.columns), set(values)
        difference = [
            *(f"missing {c}" for c in sorted(expected - given)),
            *(f"unknown {c}" for c in sorted(given - expected)),
        ]
        raise ArchiveError(
            f"line {number}: {table.name} row does not match this forum's columns ({', '.join(difference)})"
        )
    fields = {}
    for column, field in table.columns.items():
        try:
            value = _value(field, values[column])
            field.validate(value)
        except (ValueError, TypeError, ValidationError) as exc:
            raise ArchiveError(f"line {number}: {table.name}.{column}: {exc}") from None
        fields[field.model_field_name] = value
    return table.model(**fields)


def _value(field: Field[Any], value: Any) -> Any:
    if value is None:
        if not field.null:
            raise ValueError("may not be empty")
        return None
    if isinstance(field, JSONField):
        return value
    if isinstance(field, DatetimeField):
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError(f"{value!r} is not a date and time with its offset")
        return moment
    if isinstance(field, DateField):
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a date") from None
    if isinstance(field, CharEnumFieldInstance):
        return field.enum_type(value)
    # bool is an int to Python; the file must say which it means.
    expected = bool if isinstance(field, BooleanField) else field.field_type
    if type(value) is not expected:
        raise ValueError(f"{value!r} is not of type {expected.__name__}")
    return value


async def _make_room(known: list[Table], replace: bool) -> None:
    held = {table.name: n for table in known if (n := await table.model.all().count())}
    if held and not replace:
        listed = ", ".join(f"{n} {name}" for name, n in held.items())
        raise ArchiveError(
            f"the database already holds a forum ({listed}); import into an empty one "
            "(`forum restore --replace` overwrites it)"
        )
    if replace:
        await delete_everything()


async def delete_everything() -> None:
    """Empty every table of the forum (inside the caller's transaction)."""
    for table in reversed(tables()):
        # SQLite checks a post's parent row by row: cut the tree before felling it.
        for field in _self_references(table.model):
            await table.model.all().update(**{field: None})
        await table.model.all().delete()


def _self_references(model: type[Model]) -> list[str]:
    meta = model._meta
    fields = [meta.fields_map[name] for name in meta.fk_fields]
    # After Tortoise's set-up, source_field names the `<relation>_id` field that holds the column.
    return [
        str(field.source_field)
        for field in fields
        if isinstance(field, RelationalField) and field.related_model is model and field.null
    ]


async def _insert(table: Table, batch: list[Model], number: int) -> None:
    try:
        await table.model.bulk_create(batch)
    except BaseORMException as exc:
        raise ArchiveError(f"{table.name} rows up to line {number}: the database refused them: {exc}") from None


async def _reset_sequences(known: list[Table]) -> None:
    """Move each id sequence past the imported ids, so the next insert gets a fresh one."""
    connection = connections.get("default")
    for table in known:
        if table.pk in table.model._meta.generated_db_fields:
            await connection.execute_query(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{table.pk}'), "
                f'COALESCE(MAX("{table.pk}"), 0) + 1, false) FROM "{table.name}"'
            )
