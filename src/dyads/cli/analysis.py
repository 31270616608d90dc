"""Analysis commands: dyad time series, actors, exports and PLOVER import.

Thin commands over ``dyads.store.queries`` and ``dyads.store.exports``: validate, call
one library function, print.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dyads.cli.main import DbOpt, _date, app


class Unit(str, Enum):
    mention = "mention"
    event = "event"


class By(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class TableFmt(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ExportFmt(str, Enum):
    plover_jsonl = "plover-jsonl"
    parquet = "parquet"
    csv = "csv"
    gdelt_tsv = "gdelt-tsv"


UnitOpt = Annotated[Unit, typer.Option("--unit", help="Count each coded mention, or each event (cluster of mentions) once.")]
ActorOpt = Annotated[Optional[str], typer.Option("--actor", help="Actor country (ISO3) or IGO/NGO/IMG/MNC.")]
RecipientOpt = Annotated[Optional[str], typer.Option("--recipient", help="Recipient country (ISO3).")]
SinceOpt = Annotated[Optional[str], typer.Option("--since", help="Earliest event date (YYYY-MM-DD).")]
UntilOpt = Annotated[Optional[str], typer.Option("--until", help="Latest event date (YYYY-MM-DD).")]


def _code(value: Optional[str], flag: str) -> Optional[str]:
    if value is not None and not (len(value) == 3 and value.isalpha()):
        raise typer.BadParameter(f"{value!r} is not a 3-letter code such as IRQ", param_hint=flag)
    return value.upper() if value else None


def _open(db: Optional[Path], read_only: bool = True):
    """The store at --db (or the default), with the CLI's errors for a missing file."""
    from dyads.settings import default_db
    from dyads.store.db import Store

    path = db or default_db()
    if read_only and not path.exists():
        typer.echo(f"dyads: no database at {path}; run `dyads ingest PATH --db {path}` first", err=True)
        raise typer.Exit(2)
    return Store(path, read_only=read_only)


def _fail(exc: Exception) -> None:
    typer.echo(f"dyads: {exc}", err=True)
    raise typer.Exit(2)


def _filters(actor, recipient, event, since, until):
    from dyads.store.queries import Filters
    from dyads.types import PLOVER_TYPES

    if event and event.upper() not in PLOVER_TYPES:
        raise typer.BadParameter(f"{event!r} is not a PLOVER type; use one of {' '.join(PLOVER_TYPES)}", param_hint="--event")
    return Filters(_code(actor, "--actor"), _code(recipient, "--recipient"), event.upper() if event else None,
                   _date(since, "--since"), _date(until, "--until"))


def _print_rows(rows: list[dict[str, Any]], columns: list[str], fmt: str, hide_zero: bool = False) -> None:
    """Rows as JSON, CSV or an aligned table (table: all-zero count columns left out)."""
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return
    if hide_zero:
        columns = [c for c in columns if not all(r.get(c) == 0 for r in rows)]
    cells = [[("-" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


# A terminal table of every dyad of a large store (~100k rows) is unreadable and slow
# to print: the table shows this many rows unless --limit says otherwise.
TABLE_ROWS = 200


@app.command()
def series(
    db: DbOpt = None,
    actor: ActorOpt = None,
    recipient: RecipientOpt = None,
    event: Annotated[Optional[str], typer.Option("--event", help="Only this PLOVER event type.")] = None,
    by: Annotated[By, typer.Option("--by", help="Period length.")] = By.month,
    unit: UnitOpt = Unit.mention,
    format: Annotated[TableFmt, typer.Option("--format", help="Output format.")] = TableFmt.table,
    since: SinceOpt = None,
    until: UntilOpt = None,
    undirected: Annotated[bool, typer.Option("--undirected", help="Merge A->B and B->A into one dyad.")] = False,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", min=1, help=f"At most this many rows (default: {TABLE_ROWS} for table, all for csv and json).",
    )] = None,
) -> None:
    """Dyad time series: per (actor, recipient, period) counts by event type and quad class, and event_scale mean/sum.

    Rows are ordered by actor, recipient, period.
    """
    from dyads.store import queries
    from dyads.store.db import StoreError

    filters = _filters(actor, recipient, event, since, until)
    kw = dict(by=by.value, unit=unit.value, undirected=undirected)
    try:
        with _open(db) as store:
            if format is not TableFmt.table:
                # DuckDB writes CSV/JSON itself: no Python object per row.
                sys.stdout.flush()
                _write_stdout(lambda out: queries.write_series(store, out, format.value, filters, limit=limit, **kw))
                return
            page = queries.series_page(store, filters, limit=limit or TABLE_ROWS, **kw)
    except (StoreError, queries.QueryError) as exc:
        _fail(exc)
    if not page.rows:
        typer.echo("dyads: no dated events match; the series is empty", err=True)
        return
    _print_rows(page.rows, queries.series_columns(), "table", hide_zero=True)
    if page.total > len(page.rows):
        typer.echo(f"dyads: {page.total - len(page.rows):,} more rows (of {page.total:,}); "
                   "use --format csv or json for all, or --limit N", err=True)


def _write_stdout(write) -> None:
    """Run ``write`` on the binary stdout; a reader that stops early (``| head``) is no error."""
    out = getattr(sys.stdout, "buffer", None)
    try:
        if out is None:  # a text-only stdout (rare): go through a buffer
            import io

            buf = io.BytesIO()
            write(buf)
            sys.stdout.write(buf.getvalue().decode("utf-8"))
        else:
            write(out)
            out.flush()
    except BrokenPipeError:
        # Python would report the broken pipe again when flushing stdout at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


@app.command()
def actors(
    db: DbOpt = None,
    code: Annotated[Optional[str], typer.Option("--code", help="Only this actor code (ISO3 or IGO/NGO/IMG/MNC).")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="At most this many rows.")] = None,
    format: Annotated[TableFmt, typer.Option("--format", help="Output format.")] = TableFmt.table,
) -> None:
    """Actors seen (code, sector): mentions as actor and as recipient, first and last event date."""
    from dyads.store import queries
    from dyads.store.db import StoreError

    code = _code(code, "--code")
    try:
        with _open(db) as store:
            rows = queries.actors(store, since=_date(since, "--since"), until=_date(until, "--until"),
                                  code=code, limit=limit)
    except StoreError as exc:
        _fail(exc)
    columns = ["code", "sector", "mentions", "as_actor", "as_recipient", "first_seen", "last_seen"]
    _print_rows(rows, columns, format.value)


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Output file (a directory for parquet).")],
    format: Annotated[ExportFmt, typer.Option("--format", help="Export format.")] = ExportFmt.plover_jsonl,
    db: DbOpt = None,
    actor: ActorOpt = None,
    recipient: RecipientOpt = None,
    event: Annotated[Optional[str], typer.Option("--event", help="PLOVER event type, e.g. ASSAULT.")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    unit: UnitOpt = Unit.mention,
) -> None:
    """Export stored events as PLOVER JSONL, Parquet (partitioned by year-month), CSV or GDELT 2.0 TSV."""
    from dyads.store import exports
    from dyads.store.db import StoreError

    filters = _filters(actor, recipient, event, since, until)
    if format is ExportFmt.parquet and out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is a file; parquet writes a directory of year_month=... parts", param_hint="--out")
    if format is not ExportFmt.parquet and out.is_dir():
        raise typer.BadParameter(f"{out} is a directory; give a file path", param_hint="--out")
    try:
        with _open(db) as store:
            n = exports.export(store, format.value, out, filters, unit=unit.value)
    except (StoreError, exports.ExportError, OSError) as exc:
        _fail(exc)
    typer.echo(f"dyads: wrote {n} {unit.value}(s) to {out} ({format.value})", err=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="PLOVER JSONL file (e.g. from `dyads export --format plover-jsonl`).", exists=True, dir_okay=False)],
    db: DbOpt = None,
) -> None:
    """Store the events of a PLOVER JSONL file (articles already stored are left alone)."""
    from dyads.store import exports
    from dyads.store.db import StoreError

    try:
        with _open(db, read_only=False) as store:
            result, bad = exports.import_plover(store, file)
            counts = store.counts()
    except (StoreError, OSError) as exc:
        _fail(exc)
    typer.echo(
        f"dyads: imported {result.added} article(s), {result.skipped} already stored, "
        f"{result.rejected} rejected, {bad} bad line(s); store holds {counts['articles']} articles, "
        f"{counts['mentions']} events",
        err=True,
    )
    if bad and result.added + result.skipped == 0:
        raise typer.Exit(1)
