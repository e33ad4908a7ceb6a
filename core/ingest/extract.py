"""Plain text out of uploaded files, for the file_search formats of SPEC §7.

Text formats must be utf-8, utf-16 (with a BOM) or ascii. PDF goes through pypdf and docx through
python-docx; HTML, JSON and CSV are rendered as readable text so chunks carry no markup.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import mimetypes
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import PurePath

import docx
import pypdf
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.ingest.errors import InvalidFileError, UnsupportedFileError

PLAIN_TEXT_EXTENSIONS = frozenset(
    {"txt", "md", "py", "js", "ts", "go", "java", "c", "cpp", "cs", "css", "php", "rb", "sh", "tex"}
)
"""Extensions whose content is indexed as decoded text, unchanged."""

SUPPORTED_EXTENSIONS = PLAIN_TEXT_EXTENSIONS | {"html", "htm", "json", "csv", "pdf", "docx"}
"""Every extension `extract_text` reads."""

_WHITESPACE = re.compile(r"\s+")

# In the SPEC's list but without an extractor yet: refused with a message saying so.
_NOT_YET_SUPPORTED = frozenset({"doc", "pptx"})

# Used only when the filename has no known extension; the extension wins when both are present.
_CONTENT_TYPES = {
    "text/plain": "txt",
    "text/markdown": "md",
    "text/html": "html",
    "application/json": "json",
    "text/csv": "csv",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


def extract_text(filename: str, data: bytes, content_type: str | None = None) -> str:
    """The indexable text of the file `filename` whose bytes are `data`.

    The format comes from the extension, else from `content_type`. Raises `UnsupportedFileError`
    for other formats and for text that is not utf-8, utf-16 or ascii, and `InvalidFileError`
    for a corrupt file.
    """
    kind = _file_kind(filename, content_type)
    if kind == "pdf":
        return _pdf_text(filename, data)
    if kind == "docx":
        return _docx_text(filename, data)
    text = decode_text(filename, data)
    renderers: dict[str, Callable[[str, str], str]] = {
        "html": _html_text,
        "htm": _html_text,
        "json": _json_text,
        "csv": _csv_text,
    }
    render = renderers.get(kind)
    return render(filename, text) if render else text


def decode_text(filename: str, data: bytes) -> str:
    """`data` decoded as utf-8 or utf-16 (told apart by a BOM); ascii is a subset of utf-8."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")  # strips a utf-8 BOM if there is one
    except UnicodeDecodeError as exc:
        raise UnsupportedFileError(
            f"{filename}: text must be utf-8, utf-16 or ascii ({exc.reason} at byte {exc.start})"
        ) from exc
    # NULs are valid utf-8 but mean binary data or BOM-less utf-16, which would index as noise.
    if "\x00" in text:
        raise UnsupportedFileError(
            f"{filename}: contains NUL bytes; text must be utf-8, utf-16 (with a BOM) or ascii"
        )
    return text


def _file_kind(filename: str, content_type: str | None) -> str:
    """The extension that picks the extractor, checked against the supported list."""
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension in SUPPORTED_EXTENSIONS:
        return extension
    if extension in _NOT_YET_SUPPORTED:
        raise UnsupportedFileError(f"{filename}: .{extension} files are not supported yet")
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        kind = _CONTENT_TYPES.get(mime) or (mimetypes.guess_extension(mime) or "").lstrip(".")
        if kind in SUPPORTED_EXTENSIONS:
            return kind
    shown = f".{extension}" if extension else "no extension"
    raise UnsupportedFileError(
        f"{filename}: unsupported file type ({shown}); supported: "
        + ", ".join(sorted(SUPPORTED_EXTENSIONS))
    )


def _pdf_text(filename: str, data: bytes) -> str:
    """Text of every page, pages separated by a blank line."""
    # pypdf surfaces corrupt input as many exception types (PdfReadError, ValueError, KeyError,
    # ...) from deep inside its parser; all of them mean the same thing for the uploader.
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidFileError(f"{filename}: the PDF is password-protected")
        pages = [page.extract_text() for page in reader.pages]
    except InvalidFileError:
        raise
    except Exception as exc:
        raise InvalidFileError(f"{filename}: not a readable PDF ({exc})") from exc
    return "\n\n".join(page.strip() for page in pages if page.strip())


def _docx_text(filename: str, data: bytes) -> str:
    """Paragraphs and table rows in document order, one block each."""
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(_docx_blocks(document.iter_inner_content()))
    except Exception as exc:  # zip, XML and package errors alike mean a corrupt file
        raise InvalidFileError(f"{filename}: not a readable docx file ({exc})") from exc
    return "\n\n".join(blocks)


def _docx_blocks(items: Iterator[Paragraph | Table]) -> Iterator[str]:
    """Non-empty paragraph texts, and each table row as its cells joined with " | "."""
    for item in items:
        if isinstance(item, Paragraph):
            if item.text.strip():
                yield item.text
            continue
        for row in item.rows:
            cells: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:
                # A merged cell appears once per grid column it spans; keep it once.
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    cells.append(cell.text.strip())
            if any(cells):
                yield " | ".join(cells)


def _json_text(filename: str, text: str) -> str:
    """The document pretty-printed (2-space indent, non-ascii kept as is)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFileError(f"{filename}: invalid JSON ({exc})") from exc
    return json.dumps(document, indent=2, ensure_ascii=False)


def _csv_text(filename: str, text: str) -> str:
    """One line per non-empty row, cells joined with ", "."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InvalidFileError(f"{filename}: invalid CSV ({exc})") from exc
    return "\n".join(", ".join(row) for row in rows if any(cell.strip() for cell in row))


def _html_text(filename: str, text: str) -> str:
    """Visible text, block elements separated by blank lines, `<br>` kept as a line break."""
    parser = _TextParser()
    parser.feed(text)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    """Collects visible text; whitespace collapses as a browser would render it."""

    # <head> is not skipped: apart from <title>, which names the document, it holds no text.
    _SKIPPED = frozenset({"script", "style", "noscript", "template"})
    _BLOCKS = frozenset(
        {
            "address", "article", "aside", "blockquote", "body", "caption", "dd", "div", "dl",
            "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
            "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td",
            "th", "title", "tr", "ul",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._blocks: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skip_depth += 1
        if tag == "br":
            self._current.append("\n")
        elif tag in self._BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skip_depth = max(self._skip_depth - 1, 0)
        if tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            # Runs of whitespace count as one space; edges are kept so "a <b>b</b>" stays "a b".
            self._current.append(_WHITESPACE.sub(" ", data))

    def text(self) -> str:
        """The collected blocks joined with blank lines."""
        self._flush()
        return "\n\n".join(self._blocks)

    def _flush(self) -> None:
        lines = (" ".join(line.split()) for line in "".join(self._current).split("\n"))
        block = "\n".join(line for line in lines if line)
        if block:
            self._blocks.append(block)
        self._current = []
