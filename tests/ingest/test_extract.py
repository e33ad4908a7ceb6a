"""Text extraction: one small real file per format, encodings, and the two failure kinds."""

from __future__ import annotations

import codecs
import io
import json

import docx
import pytest

from core.ingest import (
    SUPPORTED_EXTENSIONS,
    IngestError,
    InvalidFileError,
    UnsupportedFileError,
    extract_text,
)


def minimal_pdf(*lines: str) -> bytes:
    """A valid one-page PDF whose content stream shows `lines` in Helvetica."""
    shown = "".join(f"({line}) Tj 0 -20 Td " for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {shown}ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def minimal_docx() -> bytes:
    """A docx with a heading, a paragraph and a 2x2 table, made by python-docx."""
    document = docx.Document()
    document.add_heading("Quarterly report", level=1)
    document.add_paragraph("Revenue grew by 12 percent.")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [("Region", "Sales"), ("North", "42")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("End of report.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_txt_and_md_are_returned_as_decoded_text() -> None:
    assert extract_text("notes.txt", b"hello\nworld\n") == "hello\nworld\n"
    markdown = "# Title\n\n- caf\u00e9 item\n"
    assert extract_text("README.MD", markdown.encode()) == markdown


@pytest.mark.parametrize("extension", ["py", "js", "ts", "go", "java", "c", "cpp", "cs", "css"])
def test_source_files_are_plain_text(extension: str) -> None:
    assert extract_text(f"main.{extension}", b"x = 1  # source\n") == "x = 1  # source\n"


@pytest.mark.parametrize("extension", ["php", "rb", "sh", "tex"])
def test_more_source_files_are_plain_text(extension: str) -> None:
    assert extract_text(f"doc.{extension}", b"\\section{A}") == "\\section{A}"


def test_html_drops_script_and_style_and_keeps_paragraphs() -> None:
    # &nbsp; becomes a plain space like any other whitespace, which keyword search wants.
    html = b"""<!doctype html><html><head><title>Guide</title>
    <style>p { color: red }</style><script>alert("x")</script></head>
    <body><h1>Install</h1><p>Run the   <b>installer</b>
    twice.</p><p>Then&nbsp;reboot &amp; relax.<br>Done.</p></body></html>"""
    assert extract_text("guide.html", html) == (
        "Guide\n\nInstall\n\nRun the installer twice.\n\nThen reboot & relax.\nDone."
    )


def test_json_is_pretty_printed() -> None:
    data = json.dumps({"name": "caf\u00e9", "tags": ["a", "b"]}, separators=(",", ":"))
    text = extract_text("data.json", data.encode())
    assert text == '{\n  "name": "caf\u00e9",\n  "tags": [\n    "a",\n    "b"\n  ]\n}'


def test_invalid_json_is_an_invalid_file() -> None:
    with pytest.raises(InvalidFileError, match=r"broken\.json"):
        extract_text("broken.json", b'{"a": ')


def test_csv_rows_become_lines_of_comma_joined_cells() -> None:
    data = b'city,population\r\n"Paris, FR",2100000\r\n\r\nLyon,520000\r\n'
    assert extract_text("cities.csv", data) == (
        "city, population\nParis, FR, 2100000\nLyon, 520000"
    )


def test_pdf_text_is_extracted() -> None:
    text = extract_text("report.pdf", minimal_pdf("Hello from a PDF", "Second line"))
    assert "Hello from a PDF" in text
    assert "Second line" in text
    assert text.index("Hello") < text.index("Second")


def test_docx_paragraphs_and_table_cells_in_document_order() -> None:
    text = extract_text("report.docx", minimal_docx())
    assert text == (
        "Quarterly report\n\nRevenue grew by 12 percent.\n\n"
        "Region | Sales\n\nNorth | 42\n\nEnd of report."
    )


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("scan.pdf", b"%PDF-1.4\nthis is not really a pdf"),
        ("scan.pdf", minimal_pdf("Hello")[:120]),
        ("memo.docx", b"PK\x03\x04 not a zip archive"),
        ("memo.docx", b"plain text pretending"),
    ],
)
def test_corrupt_pdf_and_docx_are_invalid_files_named_in_the_message(
    filename: str, data: bytes
) -> None:
    with pytest.raises(InvalidFileError, match=filename.replace(".", r"\.")) as caught:
        extract_text(filename, data)
    assert caught.value.code == "invalid_file"
    assert isinstance(caught.value, IngestError)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_bom_is_decoded(bom: bytes) -> None:
    codec = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    data = bom + "Gr\u00fc\u00dfe, \u4e16\u754c\n".encode(codec)
    assert extract_text("greeting.txt", data) == "Gr\u00fc\u00dfe, \u4e16\u754c\n"


def test_utf8_bom_is_stripped_and_ascii_is_accepted() -> None:
    assert extract_text("a.txt", codecs.BOM_UTF8 + b"plain") == "plain"
    assert extract_text("b.md", "ascii only".encode("ascii")) == "ascii only"


@pytest.mark.parametrize(
    "data",
    [
        "Gr\u00fc\u00dfe".encode("latin-1"),  # not utf-8
        b"\xff\xfe\x00",  # a utf-16 BOM followed by an odd byte count
        "no bom".encode("utf-16-le"),  # NULs: BOM-less utf-16 decodes as "utf-8" noise
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_undecodable_text_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFileError, match=r"notes\.txt") as caught:
        extract_text("notes.txt", data)
    assert caught.value.code == "unsupported_file"


@pytest.mark.parametrize("filename", ["photo.png", "archive.zip", "Makefile", "slides.pptx"])
def test_unsupported_extensions(filename: str) -> None:
    with pytest.raises(UnsupportedFileError, match=r"not supported|unsupported"):
        extract_text(filename, b"anything")


def test_content_type_picks_the_format_when_the_name_has_no_extension() -> None:
    assert extract_text("upload", b"[1]", "application/json; charset=utf-8") == "[\n  1\n]"
    assert extract_text("blob", b"<p>hi</p>", "text/html") == "hi"
    # The extension wins over a conflicting content type.
    assert extract_text("x.txt", b"[1]", "application/json") == "[1]"


def test_supported_extensions_cover_the_spec_list_except_doc_and_pptx() -> None:
    spec = "c cpp cs css doc docx go html java js json md pdf php pptx py rb sh tex ts txt"
    assert set(spec.split()) - SUPPORTED_EXTENSIONS == {"doc", "pptx"}
    assert "csv" in SUPPORTED_EXTENSIONS  # issue 6 asks for csv too
