"""Read articles from text, HTML and JSONL files, directories and stdin.

Bad input never raises: every problem becomes a ``Rejection`` (stage ``"read"``) with a
reason from ``dyads.errors.REASONS`` and a message naming the file (and line), so one
broken file never stops a batch and every dropped input can be counted.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from dyads.errors import REASONS
from dyads.ingest.clean import clean_text, strip_dateline
from dyads.types import Article, Rejection

STDIN = "-"
STDIN_ORIGIN = "<stdin>"
TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

Item = Article | Rejection

# A first line longer than this is a paragraph, not a title.
_MAX_TITLE_CHARS = 300
# Share of control bytes in the first block above which a file is called binary.
_BINARY_SAMPLE = 8192
_MAX_CONTROL_SHARE = 0.10
# htmldate without its "extensive search": that search guesses from any date-like text
# (e.g. "© 2020" in a footer becomes 2020-01-01); a wrong date is worse than the default.
_DATE_PARAMS: dict[str, Any] = {"original_date": True, "extensive_search": False}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Longest cleaned article text coded. spaCy refuses texts over 1,000,000 characters (and
# needs ~1 GB per 100,000 to parse one); news articles are far below this. Same as the API.
MAX_TEXT_CHARS = 500_000


def iter_articles(
    paths: Sequence[str | Path],
    *,
    default_date: dt.date | None = None,
    max_bytes: int = 10_000_000,
) -> Iterator[Article | Rejection]:
    """Stream articles (and rejections for bad input) from files, directories or '-' (stdin).

    Directories are walked recursively in sorted order; inside them files with other
    suffixes are skipped silently, while such a file named explicitly is rejected. The
    first article with an id wins; later ones with the same id (or the same content) are
    rejected as ``duplicate-id``.
    """
    seen: dict[str, str] = {}
    for raw in paths:
        for item in _iter_path(raw, default_date, max_bytes):
            if isinstance(item, Article):
                if item.id in seen:
                    yield _reject(
                        item.origin,
                        "duplicate-id",
                        f"{item.origin}: article id {item.id!r} was already read from {seen[item.id]}; "
                        "ids must be unique within a batch (identical texts get identical ids)",
                        article_id=item.id,
                    )
                    continue
                seen[item.id] = item.origin
            yield item


def article_id(text: str, title: str | None = None) -> str:
    """Content hash used as id when the input gives none: stable across runs."""
    digest = hashlib.sha1(f"{title or ''}\n{text}".encode("utf-8"))
    return digest.hexdigest()[:16]


def _iter_path(raw: str | Path, default_date: dt.date | None, max_bytes: int) -> Iterator[Item]:
    """Dispatch one command-line argument: stdin, a directory or a file."""
    if str(raw) == STDIN:
        yield from _read_stdin(default_date, max_bytes)
        return
    path = Path(raw)
    try:
        if path.is_dir():
            for file in _walk(path):
                yield from _read_file(file, default_date, max_bytes)
            return
        if not path.exists():
            yield _reject(str(path), "unreadable", f"{path}: no such file or directory")
            return
    except OSError as exc:
        yield _reject(str(path), "unreadable", f"{path}: cannot be read ({exc.strerror or exc})")
        return
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        yield _reject(
            str(path),
            "unsupported-type",
            f"{path}: unsupported file type {path.suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))} or '-' for stdin",
        )
        return
    yield from _read_file(path, default_date, max_bytes)


def _walk(directory: Path) -> Iterator[Path]:
    """Supported files under a directory, recursively, in sorted order (symlinked dirs not followed)."""
    found = [
        Path(root) / name
        for root, _dirs, files in os.walk(directory)
        for name in files
        if Path(name).suffix.lower() in SUPPORTED_SUFFIXES
    ]
    yield from sorted(found, key=lambda p: p.parts)  # "a/z.txt" before "b.txt", as `ls -R` sorts paths


def _read_file(path: Path, default_date: dt.date | None, max_bytes: int) -> Iterator[Item]:
    """Read one supported file after the size, binary and emptiness checks."""
    origin = str(path)
    data = _load_bytes(path, max_bytes)
    if isinstance(data, Rejection):
        yield data
        return
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(data, origin, default_date)
    elif suffix in HTML_SUFFIXES:
        yield _read_html(data, origin, default_date)
    else:
        yield _read_text(data, origin, default_date)


def _load_bytes(path: Path, max_bytes: int) -> bytes | Rejection:
    """File bytes, or a rejection when missing, too large or unreadable (size checked before reading)."""
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return _too_large(origin, size, max_bytes)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        return _reject(origin, "unreadable", f"{origin}: cannot be read ({exc.strerror or exc})")
    if len(data) > max_bytes:
        return _too_large(origin, len(data), max_bytes)
    return data


def _read_stdin(default_date: dt.date | None, max_bytes: int) -> Iterator[Item]:
    """Read stdin as JSONL when every non-empty line starts with '{', else as one text article."""
    stream = sys.stdin
    if stream is None:  # e.g. started with stdin closed
        yield _reject(STDIN_ORIGIN, "unreadable", f"{STDIN_ORIGIN}: standard input is not available")
        return
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data: bytes = buffer.read(max_bytes + 1)
    else:  # a text-only stream (e.g. io.StringIO in tests)
        data = stream.read().encode("utf-8")
    if len(data) > max_bytes:
        yield _too_large(STDIN_ORIGIN, len(data), max_bytes)
        return
    lines = [line for line in data.splitlines() if line.strip()]
    if lines and all(line.lstrip().startswith(b"{") for line in lines):
        yield from _read_jsonl(data, STDIN_ORIGIN, default_date)
    else:
        yield _read_text(data, STDIN_ORIGIN, default_date)


def _read_text(data: bytes, origin: str, default_date: dt.date | None) -> Item:
    """A plain-text article: the first line is the title when a blank line follows it."""
    text = _decode(data, origin)
    if isinstance(text, Rejection):
        return text
    title, body = _split_title(text)
    return _make_article(body, origin, title=title, published=default_date)


def _split_title(text: str) -> tuple[str | None, str]:
    """Split off a first line followed by a blank line as the title (when a body remains).

    A first line that ends with a full stop or opens with a wire dateline is the lead
    paragraph of a one-paragraph-per-line file, not a headline (headlines carry no stop).
    """
    lines = text.lstrip("\ufeff\r\n \t").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) >= 3 and lines[0].strip() and not lines[1].strip():
        title = " ".join(lines[0].split())
        body = "\n".join(lines[2:])
        is_sentence = title.endswith(".") or strip_dateline(title) != title
        if len(title) <= _MAX_TITLE_CHARS and body.strip() and not is_sentence:
            return title, body
    return None, text


def _read_html(data: bytes, origin: str, default_date: dt.date | None) -> Item:
    """An HTML page: main text, title, date, url and site name extracted with trafilatura."""
    html = _decode(data, origin, charset=_declared_charset(data))
    if isinstance(html, Rejection):
        return html
    import trafilatura  # imported here: slow to import, and only HTML input needs it

    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as exc:  # trafilatura raises assorted errors on malformed pages
        return _reject(origin, "no-text", f"{origin}: HTML could not be parsed ({type(exc).__name__}: {exc})")
    raw_text = getattr(doc, "text", None) if doc is not None else None
    if not raw_text or not raw_text.strip():
        return _reject(origin, "no-text", f"{origin}: no article text found in the HTML page")
    title = _clean_field(getattr(doc, "title", None))
    lines = raw_text.split("\n")
    if title and lines and " ".join(lines[0].split()) == title:
        lines = lines[1:]  # trafilatura repeats the <h1> headline as the first line
    published = _parse_date(getattr(doc, "date", None) or "")
    return _make_article(
        "\n\n".join(lines),  # trafilatura puts one paragraph per line
        origin,
        title=title,
        url=_clean_field(getattr(doc, "url", None)),
        source=_clean_field(getattr(doc, "sitename", None)),
        published=published if isinstance(published, dt.date) else default_date,
    )


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, if Python knows it."""
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _read_jsonl(data: bytes, origin: str, default_date: dt.date | None) -> Iterator[Item]:
    """One article per JSON line; each bad line is rejected on its own with its line number."""
    if isinstance(verdict := _check_bytes(data, origin), Rejection):
        yield verdict
        return
    found = False
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        found = True
        line_origin = f"{origin}:{number}"
        line = _decode(raw_line, line_origin)
        if isinstance(line, Rejection):
            yield line
            continue
        yield _record_to_article(line, line_origin, default_date)
    if not found:
        yield _reject(origin, "empty", f"{origin}: holds only whitespace")


def _record_to_article(line: str, origin: str, default_date: dt.date | None) -> Item:
    """Validate one JSON record and build its article."""
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return _reject(origin, "bad-json", f"{origin}: not valid JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:  # e.g. [[[[...]]]] thousands deep: the decoder recurses per level
        return _reject(origin, "bad-json", f"{origin}: JSON nested too deeply")
    if not isinstance(record, dict):
        return _reject(origin, "bad-json", f"{origin}: expected a JSON object, got {type(record).__name__}")
    raw_id = record.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return _bad_field(origin, "id", raw_id, "a string or an integer")
    given_id = str(raw_id).strip() if raw_id is not None else None
    given_id = given_id or None  # a blank id means "no id": the content hash is used
    text = record.get("text")
    if not isinstance(text, str):
        found = "no `text` field" if text is None else f"`text` is {type(text).__name__}"
        return _reject(origin, "missing-text", f"{origin}: {found}; each line needs a `text` string", given_id)
    fields: dict[str, str | None] = {}
    for name in ("title", "url", "source"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return _bad_field(origin, name, value, "a string", given_id)
        fields[name] = _clean_field(value)
    published: dt.date | None = default_date
    date_key = "published" if record.get("published") is not None else "date"
    raw_date = record.get(date_key)
    if raw_date is not None:
        if not isinstance(raw_date, str):
            return _bad_field(origin, date_key, raw_date, "a YYYY-MM-DD date or ISO datetime string", given_id)
        parsed = _parse_date(raw_date)
        if parsed is None:
            # Rejected, not dropped: an article silently coded with the default date
            # would put its events on the wrong day.
            return _reject(
                origin,
                "bad-date",
                f"{origin}: `{date_key}` {raw_date!r} is not a valid date; use YYYY-MM-DD or an ISO datetime",
                given_id,
            )
        published = parsed
    return _make_article(
        text,
        origin,
        title=fields["title"],
        url=fields["url"],
        source=fields["source"],
        published=published,
        given_id=given_id,
    )


def _make_article(
    raw_text: str,
    origin: str,
    *,
    title: str | None = None,
    url: str | None = None,
    source: str | None = None,
    published: dt.date | None = None,
    given_id: str | None = None,
) -> Item:
    """Clean the text, check it is English prose and build the Article."""
    if (problem := unusable_text(raw_text, title, url, source, given_id)) is not None:
        return _reject(origin, problem[0], f"{origin}: {problem[1]}", None if problem[0] == "encoding" else given_id)
    text = clean_text(raw_text)
    if not text:
        return _reject(
            origin, "empty", f"{origin}: no text left after removing whitespace and boilerplate", given_id
        )
    if not _WORD.search(text):
        return _reject(origin, "no-text", f"{origin}: the text has no words, only digits or symbols", given_id)
    if (why := non_english_reason(f"{title or ''}\n{text}")) is not None:
        return _reject(origin, "language", f"{origin}: text does not look like English ({why})", given_id)
    return Article(
        id=given_id or article_id(text, title),
        text=text,
        title=title,
        url=url,
        source=source,
        published=published,
        origin=_printable(origin),
    )


def unusable_text(text: str, *fields: str | None) -> tuple[str, str] | None:
    """(reason, message) when a text cannot be coded or stored at all, else None.

    Lone surrogates (JSON escapes like "\\ud800") are not Unicode text: spaCy's tokenizer
    and the store's hashing both raise on them. Texts over MAX_TEXT_CHARS would make
    spaCy raise (or exhaust memory) for the whole batch.
    """
    for value in (text, *fields):
        if value is not None and not _encodable(value):
            return "encoding", "contains invalid Unicode (a lone surrogate such as \\ud800)"
    if len(text) > MAX_TEXT_CHARS:
        return "too-large", f"text of {len(text)} characters exceeds the limit of {MAX_TEXT_CHARS} characters"
    return None


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Common English function words, chosen to be rare as words in other Latin-script
# languages ("a", "in", "on", "die", "en" are left out because French, Spanish, German or
# Italian use them constantly). Running English prose has 25-45% of its tokens here
# (news included); French, Spanish or German prose scores only a few percent.
_ENGLISH_FUNCTION_WORDS = frozenset(
    """the of and to is was were are be been being for that with by at from has have had
    it its his her their they them he she we you this these those which who whom whose
    what when where will would could should may might must can not but or than then
    there after before about into over under between against during said says also
    our your my an as if because while since until been do does did no any all""".split()
)
_WORD = re.compile(r"[^\W\d_]+")
# Below this many words a text is a headline or a fragment: too few words for the
# function-word share to mean anything ("Iran, Iraq sign border deal" has none).
_MIN_WORDS_FOR_SHARE = 25
_MIN_FUNCTION_SHARE = 0.10
_MIN_COMMON_WORDS = 10
_MIN_LATIN_SHARE = 0.80


def non_english_reason(text: str) -> str | None:
    """Why the text is not English, or None when it plausibly is.

    Written by hand because a language-ID model is heavy for a yes/no gate and mislabels
    short headlines. Two cheap signals: most letters of English text are ASCII (this
    catches Arabic, Cyrillic, CJK, ...), and a long English text uses many function
    words (this catches French, Spanish, German, ...). Short texts only get the first.
    """
    words = _WORD.findall(text)
    letters = sum(len(w) for w in words)
    if letters == 0:
        return "no letters"
    # accented Latin letters count as Latin: English names like "Erdoğan" keep them
    latin = sum(1 for w in words for ch in w if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if latin / letters < _MIN_LATIN_SHARE:
        return f"only {latin / letters:.0%} of letters are Latin-script"
    # Capitalised words are mostly names, which carry no language signal and crowd out
    # the function words in name-heavy news ("Rouhani, Zarif, Kadhimi ... met in Tehran").
    common = [w for w in words if not w[0].isupper()]
    if len(words) >= _MIN_WORDS_FOR_SHARE and len(common) >= _MIN_COMMON_WORDS:
        share = sum(1 for w in common if w.lower() in _ENGLISH_FUNCTION_WORDS) / len(common)
        if share < _MIN_FUNCTION_SHARE:
            return f"only {share:.0%} of its lower-case words are common English function words"
    return None


def _check_bytes(data: bytes, origin: str) -> Rejection | None:
    """Reject empty and binary content before any decoding."""
    if not data:
        return _reject(origin, "empty", f"{origin}: is empty (0 bytes)")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return _reject(origin, "binary", f"{origin}: contains NUL bytes (first at byte {offset}); expected text")
    sample = data[:_BINARY_SAMPLE]
    control = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f\x0b\x1b")
    if control / len(sample) > _MAX_CONTROL_SHARE:
        return _reject(origin, "binary", f"{origin}: {control / len(sample):.0%} control bytes; expected text")
    return None


def _decode(data: bytes, origin: str, charset: str | None = None) -> str | Rejection:
    """UTF-8 text (BOM allowed), or a declared HTML charset; never a silent guess."""
    if isinstance(verdict := _check_bytes(data, origin), Rejection):
        return verdict
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if charset is None or charset == "utf-8":
            return _reject(
                origin,
                "encoding",
                f"{origin}: invalid UTF-8 at byte {exc.start} ({data[exc.start:exc.start + 1]!r}); "
                "convert the file to UTF-8 (e.g. with iconv)",
            )
        try:
            text = data.decode(charset)
        except UnicodeDecodeError as exc2:
            return _reject(origin, "encoding", f"{origin}: invalid {charset} at byte {exc2.start}")
    if not text.strip():
        return _reject(origin, "empty", f"{origin}: holds only whitespace")
    return text


def _parse_date(value: str) -> dt.date | None:
    """A date from 'YYYY-MM-DD' or an ISO datetime ('Z' allowed); None when invalid."""
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _clean_field(value: str | None) -> str | None:
    """Whitespace-normalised string field, None when blank."""
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _bad_field(origin: str, name: str, value: object, expected: str, article_id: str | None = None) -> Rejection:
    """Rejection for a JSONL field of the wrong type."""
    return _reject(
        origin, "bad-field", f"{origin}: `{name}` is {type(value).__name__}, expected {expected}", article_id
    )


def _too_large(origin: str, size: int, max_bytes: int) -> Rejection:
    """Rejection for input over the size limit."""
    return _reject(
        origin, "too-large", f"{origin}: {size} bytes exceeds the limit of {max_bytes} bytes; split it or raise max_bytes"
    )


def _reject(origin: str, reason: str, message: str, article_id: str | None = None) -> Rejection:
    """A read-stage rejection; the reason must be a documented one."""
    assert reason in REASONS, reason
    return Rejection(origin=_printable(origin), stage="read", reason=reason, message=_printable(message),
                     article_id=article_id)


def _printable(name: str) -> str:
    """A file name as storable text: bytes that are not UTF-8 (kept by Python as lone
    surrogates, which the store cannot encode) are shown as escapes like \\udcff."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")
