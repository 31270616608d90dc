"""`dyads serve` (REST API + dashboard) and `dyads watch` (live feeds): thin commands.

FastAPI, uvicorn and the feed code are imported inside the commands, so `dyads --help`
stays fast.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dyads.cli.main import DbOpt, app


@app.command()
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the REST API (docs at /docs) and the dashboard (/ui) over one database.

    The server owns the database while it runs: a separate `dyads ingest` cannot write
    to the same file then; POST /articles stores through the server instead.
    """
    from dyads.settings import default_db
    from dyads.store.db import StoreError

    path = db or default_db()
    try:
        import uvicorn

        from dyads.api.app import create_app

        application = create_app(path)
    except StoreError as exc:
        typer.echo(f"dyads: {exc}", err=True)
        raise typer.Exit(2)
    typer.echo(f"dyads: serving {path} on http://{host}:{port}/ui (API docs at /docs)", err=True)
    uvicorn.run(application, host=host, port=port, log_level="info")


@app.command()
def watch(
    feeds: Annotated[list[str], typer.Argument(help="RSS/Atom feed URLs or files.")],
    db: DbOpt = None,
    every: Annotated[float, typer.Option("--every", min=0.1, help="Minutes between polls.")] = 15.0,
    once: Annotated[bool, typer.Option("--once", help="Poll every feed once, then exit.")] = False,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Allow fetching from private and loopback addresses.")] = False,
    date: Annotated[Optional[str], typer.Option("--date", help="Publication date for articles whose page and feed give none.")] = None,
) -> None:
    """Poll feeds, fetch new articles, extract their text, code and store them (each URL once)."""
    from dyads.cli.main import _date
    from dyads.feeds import FetchPolicy, Watcher
    from dyads.settings import default_db
    from dyads.store.db import Store, StoreError

    default_date = _date(date, "--date")
    path = db or default_db()
    try:
        with Store(path) as store:
            watcher = Watcher(store, FetchPolicy(allow_private=allow_private), default_date=default_date,
                              report=lambda msg: typer.echo(f"dyads: {msg}", err=True))
            if once:
                result = watcher.poll(feeds)
                raise typer.Exit(1 if result.feeds_failed == len(feeds) else 0)
            watcher.run(feeds, every_minutes=every)
    except StoreError as exc:
        typer.echo(f"dyads: {exc}", err=True)
        raise typer.Exit(2)
    except KeyboardInterrupt:
        typer.echo("dyads: stopped", err=True)
