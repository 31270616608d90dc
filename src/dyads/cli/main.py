"""The `dyads` command line: thin commands over the library (validate, call one function, print)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="dyads: code news articles into PLOVER political events, store them in DuckDB, query them.",
    no_args_is_help=True,
    add_completion=False,
)


class Fmt(str, Enum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"


class QueryFmt(str, Enum):
    jsonl = "jsonl"
    json = "json"
    csv = "csv"
    table = "table"


def _date(value: Optional[str], flag: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2020-10-18", param_hint=flag)


def _settings(actors: list[Path] | None, min_confidence: float | None):
    from dyads.settings import Settings

    for path in actors or []:
        if not path.is_file():
            raise typer.BadParameter(f"actor file {path} does not exist", param_hint="--actors")
    return Settings().with_(actor_files=tuple(actors) if actors else None, min_confidence=min_confidence)


def _report_rejection(rej) -> None:
    typer.echo(f"dyads: skipped {rej.origin}: {rej.reason}: {rej.message}", err=True)


PathsArg = Annotated[list[str], typer.Argument(help="Files, directories, or - for stdin (.txt, .html, .jsonl).")]
ActorsOpt = Annotated[Optional[list[Path]], typer.Option("--actors", help="Extra actor table (YAML, CSV or PETRARCH .txt); repeatable.")]
MinConfOpt = Annotated[Optional[float], typer.Option("--min-confidence", min=0.0, max=1.0, help="Drop events below this confidence.")]
DbOpt = Annotated[Optional[Path], typer.Option("--db", help="DuckDB file (default $DYADS_DB or ./dyads.duckdb).")]


class Engine(str, Enum):
    local = "local"
    dask = "dask"


WorkersOpt = Annotated[Optional[int], typer.Option("--workers", min=1, help="Processes to code on (default: all cores; 1 = in this process).")]
EngineOpt = Annotated[Engine, typer.Option("--engine", help="local: this machine's cores; dask: a Dask cluster.")]
SchedulerOpt = Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address (default: a LocalCluster); needs --engine dask.")]


def _engine(engine: Engine, scheduler: Optional[str]) -> str:
    if scheduler and engine is not Engine.dask:
        raise typer.BadParameter("a scheduler address needs --engine dask", param_hint="--scheduler")
    return engine.value


@app.command()
def code(
    paths: PathsArg,
    date: Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD) for inputs that lack one.")] = None,
    format: Annotated[Fmt, typer.Option("--format", help="Output format.")] = Fmt.jsonl,
    actors: ActorsOpt = None,
    min_confidence: MinConfOpt = None,
    workers: WorkersOpt = None,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
) -> None:
    """Code articles and print their events to stdout; touches no database."""
    from dyads import output
    from dyads.batch import run_engine
    from dyads.coder import Coded

    run_opts = {"workers": workers, "engine": _engine(engine, scheduler), "scheduler": scheduler}

    default_date = _date(date, "--date")
    settings = _settings(actors, min_confidence)
    ok = bad = 0

    def records():
        nonlocal ok, bad
        for item in run_engine(paths, settings, default_date=default_date, **run_opts):
            if isinstance(item, Coded):
                ok += 1
                for rej in item.rejections:
                    _report_rejection(rej)
                yield from (e.to_dict() for e in item.events)
            else:
                bad += 1
                _report_rejection(item)

    output.write(records(), format.value, sys.stdout)
    typer.echo(f"dyads: coded {ok} article(s), skipped {bad}", err=True)
    if ok == 0 and bad:
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: PathsArg,
    db: DbOpt = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Publication date for inputs that lack one.")] = None,
    actors: ActorsOpt = None,
    min_confidence: MinConfOpt = None,
    workers: WorkersOpt = None,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
) -> None:
    """Code articles and store them with their events in DuckDB; re-ingesting changes nothing.

    With --engine dask the Parquet shards are kept in DB.shards/ so a rerun skips finished partitions.
    """
    from dyads.batch import run_engine
    from dyads.coder import Coded
    from dyads.settings import default_db
    from dyads.store.db import Store, StoreError

    default_date = _date(date, "--date")
    settings = _settings(actors, min_confidence)
    path = db or default_db()
    run_opts = {"workers": workers, "engine": _engine(engine, scheduler), "scheduler": scheduler,
                "shard_dir": path.with_name(path.name + ".shards")}
    bad = 0
    try:
        with Store(path) as store:
            rejections = []

            def coded_items():
                nonlocal bad
                for item in run_engine(paths, settings, default_date=default_date, **run_opts):
                    if isinstance(item, Coded):
                        rejections.extend(item.rejections)
                        yield item.article, item.events
                    else:
                        bad += 1
                        _report_rejection(item)
                        rejections.append(item)

            result = store.add_many(coded_items())
            for rej in rejections:
                store.add_rejection(rej)
            counts = store.counts()
    except StoreError as exc:
        typer.echo(f"dyads: {exc}", err=True)
        raise typer.Exit(2)
    typer.echo(
        f"dyads: {path}: added {result.added} article(s), {result.skipped} already stored, "
        f"{result.rejected + bad} rejected; store holds {counts['articles']} articles, "
        f"{counts['mentions']} events",
        err=True,
    )
    if result.added + result.skipped == 0 and bad:
        raise typer.Exit(1)


@app.command()
def events(
    db: DbOpt = None,
    actor: Annotated[Optional[str], typer.Option("--actor", help="Actor country (ISO3) or IGO/NGO/IMG.")] = None,
    recipient: Annotated[Optional[str], typer.Option("--recipient", help="Recipient country (ISO3).")] = None,
    event: Annotated[Optional[str], typer.Option("--event", help="PLOVER event type, e.g. ASSAULT.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Earliest event date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Latest event date (YYYY-MM-DD).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="At most this many events.")] = None,
    format: Annotated[QueryFmt, typer.Option("--format", help="Output format.")] = QueryFmt.jsonl,
    unit: Annotated[str, typer.Option("--unit", help="mention: every coded report; event: each event cluster once (best mention plus cluster fields).")] = "mention",
    parquet: Annotated[Optional[Path], typer.Option("--parquet", help="Query the Parquet shards in DIR (from --engine dask) instead of a database.", file_okay=False)] = None,
) -> None:
    """Query stored events."""
    from dyads import output
    from dyads.settings import default_db
    from dyads.store.db import Store, StoreError
    from dyads.types import PLOVER_TYPES

    if event and event.upper() not in PLOVER_TYPES:
        raise typer.BadParameter(f"{event!r} is not a PLOVER type; use one of {' '.join(PLOVER_TYPES)}", param_hint="--event")
    for flag, code in (("--actor", actor), ("--recipient", recipient)):
        if code is not None and not (len(code) == 3 and code.isalpha()):
            raise typer.BadParameter(f"{code!r} is not a 3-letter code such as IRQ", param_hint=flag)
    if unit not in ("mention", "event"):
        raise typer.BadParameter(f"{unit!r} is not a unit; use mention or event", param_hint="--unit")
    if parquet is not None:
        from dyads.batch import query_events

        if unit != "mention":
            raise typer.BadParameter("Parquet shards hold mentions only; clusters live in the database", param_hint="--unit")
        try:
            rows = query_events(parquet, actor=actor, recipient=recipient, event=event,
                                since=_date(since, "--since"), until=_date(until, "--until"), limit=limit)
        except FileNotFoundError as exc:
            typer.echo(f"dyads: {exc}", err=True)
            raise typer.Exit(2)
        output.write(rows, format.value, sys.stdout)
        return
    path = db or default_db()
    if not path.exists():
        typer.echo(f"dyads: no database at {path}; run `dyads ingest PATH --db {path}` first", err=True)
        raise typer.Exit(2)
    try:
        with Store(path, read_only=True) as store:
            rows = store.events(actor=actor, recipient=recipient, event=event,
                                since=_date(since, "--since"), until=_date(until, "--until"), limit=limit,
                                unit=unit)
    except StoreError as exc:
        typer.echo(f"dyads: {exc}", err=True)
        raise typer.Exit(2)
    output.write(rows, format.value, sys.stdout)


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Argument(help="Gold JSONL file (format of shared/data/dev/*.jsonl).", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    errors: Annotated[bool, typer.Option("--errors", help="List misses and false alarms with their sentences.")] = False,
) -> None:
    """Score the coder on a gold file: per-type P/R/F1, micro and macro F1, country accuracy."""
    from dyads.evaluate import evaluate, format_report

    rep = evaluate(gold)
    if as_json:
        data = rep.to_dict()
        if not errors:
            data.pop("errors")
        typer.echo(json.dumps(data, indent=1))
    else:
        typer.echo(format_report(rep, errors=errors))


def main() -> None:
    """The console script: library errors become one clear line and exit status 2."""
    from dyads.errors import DyadsError

    try:
        app()
    except DyadsError as exc:
        typer.echo(f"dyads: {exc}", err=True)
        raise SystemExit(2)


def _register_optional_commands() -> None:
    """Commands that live in their own modules register themselves on `app` when imported."""
    import importlib

    for name in ("dyads.cli.analysis", "dyads.cli.serve"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


_register_optional_commands()

if __name__ == "__main__":  # pragma: no cover
    # Run through the package so command modules register on the same `app` object.
    import dyads.__main__  # noqa: F401  (runs the command line)
