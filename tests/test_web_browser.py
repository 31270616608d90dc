"""The dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Walks a user's path: load, filter the events table, follow an evidence link, open a
dyad chart and the events behind a bar, the network and the map, paste an article and
see its events. Screenshots go to docs/img/ (they illustrate the README).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dyads.api.app import create_app
from dyads.api.server import background_server
from dyads.types import Article

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

# Hand-written reports on a few dyads across several months, one with markup in it.
_REPORTS: list[tuple[str, str]] = [
    ("2020-01-07", "Iran signed a trade agreement with Iraq in Baghdad on Monday, the two governments said, "
                   "and they said that the deal would be extended."),
    ("2020-02-12", "Iraq accused Iran of shelling villages in Kurdistan on Tuesday, and it said that the "
                   "attacks had to stop."),
    ("2020-02-20", "Iranian artillery shelled Iraqi border villages on Wednesday, the Iraqi army said in a "
                   "statement that was issued on the same day."),
    ("2020-03-03", "Iraq's foreign minister met his Iranian counterpart in Tehran on Monday, and they "
                   "said that the talks were friendly."),
    ("2020-04-15", "Iran sent medical aid to Iraq on Tuesday to help it fight the outbreak, the Iraqi "
                   "health ministry said in a statement."),
    ("2020-04-28", "Protesters attacked the US embassy in Baghdad on Monday, and officials said that "
                   "the guards had fired tear gas."),
    ("2020-05-05", "The United States accused Iran of organising the attack on its embassy, and it said "
                   "that it would respond."),
    ("2020-05-19", "Kenyan troops shelled al-Shabaab positions in southern Somalia on Sunday, and the "
                   "army said that the operation was a success."),
    ("2020-06-09", "Iranian officials accused the United States of sabotage <b>on</b> Monday, and they "
                   "said that it was <script>alert('x')</script> a plot."),
]

PASTED = ("Russia and Ukraine agreed to a ceasefire in Minsk on Friday, and the two sides said that "
          "prisoners would be exchanged. <script>window.pwned = 1</script>\n\n"
          "Turkish jets bombed Kurdish positions in northern Syria on Saturday.")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, coder: Any) -> Iterator[str]:
    """A served dashboard over the example articles plus _REPORTS."""
    from dyads.coder import Coded
    from dyads.ingest.clean import clean_text
    from dyads.ingest.readers import article_id
    from dyads.pipeline import run
    from dyads.store.db import Store

    db = tmp_path_factory.mktemp("web") / "web.duckdb"
    with Store(db) as store:
        coded = [c for c in run([ROOT / "examples" / "articles"], coder=coder) if isinstance(c, Coded)]
        reports = [Article(id=article_id(clean_text(t)), text=clean_text(t), published=dt.date.fromisoformat(d),
                           title=f"Report of {d}", source="wire") for d, t in _REPORTS]
        coded += list(coder.code(reports))
        result = store.add_many((c.article, c.events) for c in coded)
        assert result.added == len(coded)
    with background_server(create_app(db, coder=coder)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, site: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=site)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # Offline means offline: any request leaving the server is a failure.
    outside: list[str] = []
    pg.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(site)
                                    else (outside.append(route.request.url), route.abort())))
    yield pg
    context.close()
    assert not errors, errors
    assert not outside, outside


def shot(page: Any, name: str) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / name), full_page=False)


def test_web_events_table_filters_and_links_to_evidence(page: Any) -> None:
    page.goto("/")
    assert page.title().startswith("Events")
    all_rows = page.locator("table#events tbody tr").count()
    page.select_option("select[name=event]", "ASSAULT")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**event=ASSAULT**")
    kinds = page.locator("table#events tbody tr").evaluate_all("rows => rows.map(r => r.dataset.event)")
    assert kinds and set(kinds) == {"ASSAULT"} and len(kinds) < all_rows
    shot(page, "events.png")
    page.locator("table#events a.evidence").first.click()
    page.wait_for_url("**/ui/articles/**#m-*")
    target = page.url.split("#m-")[1]
    focused = page.locator(".article-text .ev.focus")
    assert focused.count() >= 1
    assert target in focused.first.get_attribute("data-ids").split()
    shot(page, "article.png")


def test_web_dyad_chart_shows_events_behind_a_bar(page: Any) -> None:
    page.goto("/ui/dyads?actor=IRN&recipient=IRQ&by=month")
    bars = page.locator("svg.dyad-chart a.bar")
    assert bars.count() >= 4  # Jan..Apr 2020, empty months included
    assert page.locator("svg.dyad-chart rect[fill='#b2182b']").count() >= 1  # material conflict
    assert page.locator("ol.pairs li").count() >= 2
    bar = page.locator("svg.dyad-chart a.bar[data-period='2020-02']")
    bar.locator("rect").first.click()
    page.wait_for_url("**period=2020-02**")
    behind = page.locator("table#behind-events tbody tr")
    assert behind.count() >= 1
    dates = behind.locator("td.nowrap").all_inner_texts()
    assert all(d.startswith("2020-02") for d in dates)
    shot(page, "dyads.png")


@pytest.mark.parametrize(("path", "selector", "name"), [
    ("/ui/network", "svg.network g.node", "network.png"),
    ("/ui/map", "svg.map circle.place", "map.png"),
])
def test_web_network_and_map_render(page: Any, path: str, selector: str, name: str) -> None:
    page.goto(path)
    assert page.locator(selector).count() >= 2
    shot(page, name)


def test_web_code_an_article_marks_its_events_and_escapes(page: Any) -> None:
    page.goto("/ui/code")
    page.fill("textarea[name=text]", PASTED)
    page.fill("input[name=date]", "2022-03-11")
    page.click("form.code-form button[type=submit]")
    page.wait_for_selector("#coded")
    types = page.locator("#coded .event-list .etype").all_inner_texts()
    assert "ASSAULT" in types and len(types) >= 2
    assert page.locator(".article-text .ev.trig").count() >= 2
    assert page.evaluate("window.pwned") is None  # the pasted <script> was shown, not run
    assert "<script>window.pwned = 1</script>" in page.locator(".article-text").inner_text()
    shot(page, "code.png")


def test_web_stored_markup_is_text(page: Any) -> None:
    page.goto("/ui/events?actor=IRN&event=ACCUSE")
    evidence = page.locator("table#events a.evidence").first
    assert "<b>on</b>" in evidence.inner_text()
    assert page.locator("table#events b").count() == 0

