"""Tests for dyads.ingest.readers: every input form, and a rejection for every bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest

from dyads.errors import REASONS
from dyads.ingest.readers import article_id, iter_articles, non_english_reason
from dyads.types import Article, Rejection

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

BODY = (
    "Iraqi Foreign Minister Fuad Hussein met his Iranian counterpart in Tehran on Saturday "
    "to discuss border trade and the armed groups that have attacked foreign embassies.\n\n"
    "The two ministers agreed to reopen two border crossings and to hold further talks "
    "in early January, officials said after the meeting."
)

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Iraq and Iran agree to reopen border crossings | Example News</title>
<meta property="og:title" content="Iraq and Iran agree to reopen border crossings">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2020-10-18T09:00:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World news section</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Iraq and Iran agree to reopen border crossings</h1>
<p>BAGHDAD (Reuters) - Iraqi Foreign Minister Fuad Hussein met his Iranian counterpart in Tehran on Saturday to discuss border trade and the armed groups that have attacked foreign embassies.</p>
<p>The two ministers agreed to reopen two border crossings and to hold further talks in early January, officials said after the meeting.</p>
<p>Share this article</p>
<p>Diplomats in Baghdad said the visit was meant to reassure Washington as much as Tehran.</p>
</article>
<aside><h2>Related Articles</h2><ul><li><a href="/a">Power cuts spark anger in Basra</a></li></ul></aside>
</main>
<footer><p>Footer navigation: about us, contact, careers</p><p>&copy; 2020 Example News. All rights reserved.</p></footer>
</body></html>
"""


def read(*paths: str | Path, **kwargs: object) -> list[Article | Rejection]:
    """All items read from the given paths."""
    return list(iter_articles(list(paths), **kwargs))  # type: ignore[arg-type]


def only(items: list[Article | Rejection]) -> Article | Rejection:
    """The single item of a one-item result."""
    assert len(items) == 1, items
    return items[0]


def write(path: Path, content: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to path and return it."""
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def jsonl(path: Path, *records: object) -> Path:
    """Write records (dicts or raw strings) as JSON lines."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return write(path, "\n".join(lines) + "\n")


def assert_rejected(item: Article | Rejection, reason: str, origin: str) -> Rejection:
    """Check that item is a read-stage rejection with this reason, naming origin in its message."""
    assert isinstance(item, Rejection), item
    assert item.reason == reason
    assert item.reason in REASONS
    assert item.stage == "read"
    assert item.origin == origin
    assert origin in item.message
    return item


# --- plain text ---------------------------------------------------------------------------


def test_readers_txt_title_line_split_off(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", f"Iraq and Iran hold talks\n\n{BODY}\n")
    article = only(read(path))
    assert isinstance(article, Article)
    assert article.title == "Iraq and Iran hold talks"
    assert article.text == BODY
    assert article.origin == str(path)


def test_readers_txt_without_blank_second_line_has_no_title(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Iraq and Iran hold talks\n" + BODY)
    article = only(read(path))
    assert isinstance(article, Article)
    assert article.title is None
    assert article.text.startswith("Iraq and Iran hold talks ")


@pytest.mark.parametrize(
    "first",
    [
        "Iraqi officials met in Baghdad on Monday.",
        "BAGHDAD (Reuters) - Iraqi officials met on Monday",
    ],
)
def test_readers_txt_lead_paragraph_not_taken_for_title(tmp_path: Path, first: str) -> None:
    article = only(read(write(tmp_path / "a.txt", f"{first}\n\n{BODY}")))
    assert isinstance(article, Article)
    assert article.title is None
    assert article.text.startswith("Iraqi officials met")


def test_readers_txt_single_line_is_text_not_title(tmp_path: Path) -> None:
    article = only(read(write(tmp_path / "a.txt", "Iran and Iraq sign border deal\n\n")))
    assert isinstance(article, Article)
    assert (article.title, article.text) == (None, "Iran and Iraq sign border deal")


def test_readers_txt_text_is_cleaned(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Title\n\nKABUL - Afghan forces said\nthey had left.\n\nAdvertisement\n")
    article = only(read(path))
    assert isinstance(article, Article)
    assert article.text == "Afghan forces said they had left."


def test_readers_default_date_used_for_text(tmp_path: Path) -> None:
    day = dt.date(2021, 3, 4)
    article = only(read(write(tmp_path / "a.txt", BODY), default_date=day))
    assert isinstance(article, Article)
    assert article.published == day


def test_readers_utf8_bom_accepted(tmp_path: Path) -> None:
    article = only(read(write(tmp_path / "a.txt", "\ufeffTitle\n\n" + BODY)))
    assert isinstance(article, Article)
    assert article.title == "Title"


def test_readers_headline_not_rejected_as_foreign(tmp_path: Path) -> None:
    article = only(read(write(tmp_path / "a.txt", "Iran, Iraq sign border deal")))
    assert isinstance(article, Article)


# --- ids ------------------------------------------------------------------------------------


def test_readers_id_is_stable_content_hash(tmp_path: Path) -> None:
    first = only(read(write(tmp_path / "a.txt", f"Title\n\n{BODY}")))
    second = only(read(write(tmp_path / "b.txt", f"Title\n\n  {BODY}  \n")))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.id == second.id == article_id(BODY, "Title")
    assert len(first.id) == 16 and int(first.id, 16) >= 0


def test_readers_id_depends_on_title() -> None:
    assert article_id(BODY, "One") != article_id(BODY, "Two")


def test_readers_jsonl_numeric_id_becomes_string(tmp_path: Path) -> None:
    article = only(read(jsonl(tmp_path / "a.jsonl", {"id": 42, "text": BODY})))
    assert isinstance(article, Article)
    assert article.id == "42"


def test_readers_duplicate_id_later_rejected(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"id": "x", "text": BODY}, {"id": "x", "text": BODY + " More."})
    first, second = read(path)
    assert isinstance(first, Article) and first.origin == f"{path}:1"
    rejection = assert_rejected(second, "duplicate-id", f"{path}:2")
    assert rejection.article_id == "x"
    assert f"{path}:1" in rejection.message


def test_readers_duplicate_content_across_files_rejected(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", BODY)
    b = write(tmp_path / "b.txt", BODY)
    first, second = read(a, b)
    assert isinstance(first, Article)
    assert_rejected(second, "duplicate-id", str(b))


# --- JSONL ----------------------------------------------------------------------------------


def test_readers_jsonl_fields_read(tmp_path: Path) -> None:
    record = {
        "id": "a1",
        "title": "Talks",
        "url": "https://example.org/a1",
        "source": "Example Wire",
        "published": "2020-10-18",
        "text": BODY,
    }
    article = only(read(jsonl(tmp_path / "a.jsonl", record)))
    assert article == Article(
        id="a1",
        text=BODY,
        title="Talks",
        url="https://example.org/a1",
        source="Example Wire",
        published=dt.date(2020, 10, 18),
        origin=f"{tmp_path / 'a.jsonl'}:1",
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("published", "2020-10-18", dt.date(2020, 10, 18)),
        ("published", "2020-10-18T23:30:00Z", dt.date(2020, 10, 18)),
        ("published", "2020-10-18T09:00:00+03:00", dt.date(2020, 10, 18)),
        ("date", "2021-01-05", dt.date(2021, 1, 5)),
    ],
)
def test_readers_jsonl_date_parsed(tmp_path: Path, field: str, value: str, expected: dt.date) -> None:
    article = only(read(jsonl(tmp_path / "a.jsonl", {"text": BODY, field: value})))
    assert isinstance(article, Article)
    assert article.published == expected


def test_readers_jsonl_input_date_beats_default(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"text": BODY, "date": "2021-01-05"})
    article = only(read(path, default_date=dt.date(1999, 1, 1)))
    assert isinstance(article, Article)
    assert article.published == dt.date(2021, 1, 5)


def test_readers_jsonl_good_broken_and_textless_lines(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"text": BODY}, '{"text": "unterminated', {"title": "No text here"})
    good, broken, textless = read(path)
    assert isinstance(good, Article) and good.origin == f"{path}:1"
    assert_rejected(broken, "bad-json", f"{path}:2")
    assert_rejected(textless, "missing-text", f"{path}:3")


def test_readers_jsonl_blank_lines_skipped_but_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", "\n" + json.dumps({"text": BODY}) + "\n\n")
    article = only(read(path))
    assert isinstance(article, Article)
    assert article.origin == f"{path}:2"


@pytest.mark.parametrize("line", ["[1, 2]", '"just a string"', "42"])
def test_readers_jsonl_non_object_is_bad_json(tmp_path: Path, line: str) -> None:
    path = jsonl(tmp_path / "a.jsonl", line)
    assert_rejected(only(read(path)), "bad-json", f"{path}:1")


@pytest.mark.parametrize("text", [None, 42, ["a"], {"body": "x"}])
def test_readers_jsonl_text_not_string_is_missing_text(tmp_path: Path, text: object) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"id": "a", "text": text})
    assert_rejected(only(read(path)), "missing-text", f"{path}:1")


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", 5), ("url", ["x"]), ("source", {"a": 1}), ("id", 1.5), ("id", True), ("published", 20201018)],
)
def test_readers_jsonl_wrong_field_type_is_bad_field(tmp_path: Path, field: str, value: object) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"text": BODY, field: value})
    rejection = assert_rejected(only(read(path)), "bad-field", f"{path}:1")
    assert field in rejection.message


@pytest.mark.parametrize("value", ["2020-13-45", "2020-02-30", "yesterday", "18/10/2020"])
def test_readers_jsonl_bad_date_rejects_line(tmp_path: Path, value: str) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"text": BODY, "published": value})
    rejection = assert_rejected(only(read(path)), "bad-date", f"{path}:1")
    assert value in rejection.message


def test_readers_jsonl_rejection_carries_given_id(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"id": "r7", "text": BODY, "published": "2020-13-45"})
    rejection = assert_rejected(only(read(path)), "bad-date", f"{path}:1")
    assert rejection.article_id == "r7"


def test_readers_jsonl_invalid_utf8_line_rejected_alone(tmp_path: Path) -> None:
    good = json.dumps({"text": BODY}).encode()
    bad = b'{"text": "caf\xe9 in Tehran"}'
    path = write(tmp_path / "a.jsonl", good + b"\n" + bad + b"\n")
    first, second = read(path)
    assert isinstance(first, Article)
    assert_rejected(second, "encoding", f"{path}:2")


def test_readers_jsonl_empty_text_rejected(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", {"text": "   \n  "})
    assert_rejected(only(read(path)), "empty", f"{path}:1")


# --- HTML -----------------------------------------------------------------------------------


def test_readers_html_title_text_and_date(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", PAGE)
    article = only(read(path))
    assert isinstance(article, Article)
    assert article.title == "Iraq and Iran agree to reopen border crossings"
    assert article.published == dt.date(2020, 10, 18)
    assert article.text.startswith("Iraqi Foreign Minister Fuad Hussein met")
    assert "Diplomats in Baghdad said" in article.text
    assert article.text.count("\n\n") == 2  # three paragraphs


@pytest.mark.parametrize(
    "boilerplate",
    ["World news section", "Related Articles", "Power cuts", "Footer navigation", "All rights reserved", "Share this"],
)
def test_readers_html_boilerplate_excluded(tmp_path: Path, boilerplate: str) -> None:
    article = only(read(write(tmp_path / "page.html", PAGE)))
    assert isinstance(article, Article)
    assert boilerplate not in article.text


def test_readers_html_title_not_repeated_in_text(tmp_path: Path) -> None:
    article = only(read(write(tmp_path / "page.htm", PAGE)))
    assert isinstance(article, Article)
    assert "agree to reopen border crossings" not in article.text


def test_readers_html_default_date_when_page_has_none(tmp_path: Path) -> None:
    page = PAGE.replace('<meta property="article:published_time" content="2020-10-18T09:00:00Z">', "")
    article = only(read(write(tmp_path / "page.html", page), default_date=dt.date(2019, 5, 1)))
    assert isinstance(article, Article)
    assert article.published == dt.date(2019, 5, 1)


def test_readers_html_declared_charset_honoured(tmp_path: Path) -> None:
    page = PAGE.replace('charset="utf-8"', 'charset="windows-1252"').replace("Hussein met", "Hussein met Zarif’s")
    article = only(read(write(tmp_path / "page.html", page.encode("cp1252"))))
    assert isinstance(article, Article)
    assert "Zarif’s" in article.text


@pytest.mark.parametrize(
    "page",
    ["<html><head><title>x</title></head><body><div></div></body></html>", "<<<>>> </div></p><html"],
)
def test_readers_html_without_text_is_no_text(tmp_path: Path, page: str) -> None:
    path = write(tmp_path / "broken.html", page)
    assert_rejected(only(read(path)), "no-text", str(path))


# --- bad files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.txt", "a.html", "a.jsonl"])
def test_readers_empty_file_rejected(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, b"")
    assert_rejected(only(read(path)), "empty", str(path))


@pytest.mark.parametrize("content", [" \n\t\n  ", "\n\n\n"])
def test_readers_whitespace_only_rejected(tmp_path: Path, content: str) -> None:
    path = write(tmp_path / "a.txt", content)
    assert_rejected(only(read(path)), "empty", str(path))


def test_readers_boilerplate_only_rejected_as_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Advertisement\n\nShare this\n")
    assert_rejected(only(read(path)), "empty", str(path))


@pytest.mark.parametrize(
    "content",
    [b"Iran said\x00 something.", b"\x01\x02\x03\x04\x05\x06" * 50 + b"text", bytes(range(1, 32)) * 20],
)
def test_readers_binary_rejected(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path / "a.txt", content)
    assert_rejected(only(read(path)), "binary", str(path))


def test_readers_invalid_utf8_rejected_with_offset(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"Iraqi officials met in Baghdad caf\xe9 on Monday.")
    rejection = assert_rejected(only(read(path)), "encoding", str(path))
    assert "byte 34" in rejection.message


def test_readers_too_large_rejected_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:  # sparse 10 MB + 1 byte file: cheap to create
        fh.truncate(10_000_001)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("a too-large file must not be opened")

    monkeypatch.setattr(Path, "open", no_open)
    assert_rejected(only(read(path)), "too-large", str(path))


def test_readers_max_bytes_respected(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", BODY)
    assert_rejected(only(read(path, max_bytes=100)), "too-large", str(path))


@pytest.mark.parametrize(
    "text",
    [
        # French, Spanish and German prose: Latin script, few English function words
        "Le ministre irakien des Affaires étrangères s'est rendu samedi à Téhéran pour deux jours "
        "d'entretiens avec son homologue iranien sur le commerce frontalier, le partage de l'eau et "
        "les groupes armés qui ont tiré des roquettes sur des ambassades étrangères à Bagdad.",
        "El ministro de Asuntos Exteriores de Irak viajó el sábado a Teherán para dos días de "
        "conversaciones con su homólogo iraní sobre el comercio fronterizo, el reparto del agua y "
        "los grupos armados que han disparado cohetes contra embajadas extranjeras en Bagdad.",
        "Der irakische Außenminister ist am Samstag zu zweitägigen Gesprächen mit seinem iranischen "
        "Amtskollegen nach Teheran gereist, bei denen es um den Grenzhandel, die Wasserverteilung und "
        "die bewaffneten Gruppen gehen soll, die Raketen auf Botschaften abgefeuert haben.",
        # Arabic and Russian: not Latin script at all, even when short
        "وصل وزير الخارجية العراقي إلى طهران يوم السبت",
        "Министр иностранных дел Ирака прибыл в Тегеран в субботу",
    ],
)
def test_readers_non_english_rejected(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "a.txt", text)
    assert_rejected(only(read(path)), "language", str(path))


@pytest.mark.parametrize(
    "text",
    [
        "Iran, Iraq sign border deal",
        "Erdoğan meets Aliyev in Baku",
        "Russian strikes kill 50 in Idlib",
        BODY,
        BODY + " The minister, quoted in Arabic, said: وزير الخارجية",
    ],
)
def test_readers_english_passes_language_check(text: str) -> None:
    assert non_english_reason(text) is None


def test_readers_missing_path_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    assert_rejected(only(read(path)), "unreadable", str(path))


def test_readers_permission_denied_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.txt", BODY)
    path.chmod(0)
    try:
        if path.open("rb"):  # root can read anyway: nothing to test then
            pytest.skip("running with permissions that ignore file modes")
    except PermissionError:
        assert_rejected(only(read(path)), "unreadable", str(path))
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("name", ["a.pdf", "a.csv", "README"])
def test_readers_unsupported_suffix_named_rejected(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, BODY)
    assert_rejected(only(read(path)), "unsupported-type", str(path))


# --- directories and stdin ----------------------------------------------------------------


def test_readers_directory_recursive_sorted_and_filtered(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "Second\n\n" + BODY)
    (tmp_path / "a").mkdir()
    write(tmp_path / "a" / "z.txt", "First\n\n" + BODY)
    (tmp_path / "c" / "d").mkdir(parents=True)
    jsonl(tmp_path / "c" / "d" / "e.jsonl", {"text": BODY, "title": "Third"})
    write(tmp_path / "notes.pdf", b"%PDF-1.4")
    write(tmp_path / "c" / "image.png", b"\x89PNG\x00\x00")
    items = read(tmp_path)
    assert all(isinstance(item, Article) for item in items)
    assert [item.title for item in items if isinstance(item, Article)] == ["First", "Second", "Third"]


def test_readers_multiple_paths_in_order(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "A\n\n" + BODY)
    b = write(tmp_path / "b.txt", "B\n\n" + BODY)
    assert [item.origin for item in read(b, a)] == [str(b), str(a)]


def test_readers_stdin_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"Talks\n\n{BODY}".encode())))
    article = only(read("-"))
    assert isinstance(article, Article)
    assert (article.title, article.text, article.origin) == ("Talks", BODY, "<stdin>")


def test_readers_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "\n".join(json.dumps({"id": f"s{i}", "text": BODY + f" Item {i}."}) for i in range(3))
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    items = read("-")
    assert [item.id for item in items if isinstance(item, Article)] == ["s0", "s1", "s2"]
    assert [item.origin for item in items] == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]


def test_readers_stdin_text_starting_with_brace_not_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("{Editor's note}\n" + BODY))
    assert isinstance(only(read("-")), Article)


def test_readers_stdin_closed_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    assert_rejected(only(read("-")), "unreadable", "<stdin>")


def test_readers_stdin_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert_rejected(only(read("-")), "empty", "<stdin>")


# --- shipped examples -----------------------------------------------------------------------


def test_readers_examples_read_without_rejection() -> None:
    items = read(EXAMPLES)
    rejections = [item for item in items if isinstance(item, Rejection)]
    assert rejections == []
    assert len(items) >= 11
    assert all(item.title for item in items if isinstance(item, Article))


@pytest.mark.parametrize("path", sorted((EXAMPLES / "articles").glob("*.html")), ids=lambda p: p.name)
def test_readers_examples_html_dated_and_clean(path: Path) -> None:
    article = only(read(path))
    assert isinstance(article, Article)
    assert article.published is not None
    for boilerplate in ("Related", "Subscribe", "All rights reserved", "Advertisement", "Share on"):
        assert boilerplate not in article.text


def test_readers_every_reason_documented() -> None:
    expected = {
        "empty", "binary", "encoding", "too-large", "language", "no-text", "bad-json",
        "missing-text", "bad-field", "bad-date", "duplicate-id", "unreadable", "unsupported-type",
    }
    assert expected <= set(REASONS)


def test_readers_name_heavy_english_news_is_english() -> None:
    from dyads.ingest.readers import non_english_reason

    text = (
        "Iranian President Hassan Rouhani, Foreign Minister Mohammad Javad Zarif, Iraqi Prime "
        "Minister Mustafa al-Kadhimi, Kadhimi aide Ahmed Mulla Talal, Iraqi Foreign Minister Fuad "
        "Hussein and Defence Minister Juma Inad met Saturday in Tehran. Rouhani hailed the ties "
        "between the two neighbours and said trade would grow."
    )
    assert non_english_reason(text) is None
