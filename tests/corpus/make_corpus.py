"""Writes the binary files of the retrieval test corpus: the survey PDF, the rules docx and
corrupt.pdf.

    .venv/bin/python tests/corpus/make_corpus.py          # rewrites them in tests/corpus/
    .venv/bin/python tests/corpus/make_corpus.py OUT_DIR  # writes them somewhere else

The output is deterministic, so rerunning gives identical bytes: the PDF is written by hand with
uncompressed content streams and no dates, and the docx gets fixed core properties and is
repacked with a fixed entry date. (Deflate output can differ between zlib builds, so a rerun on
another machine may give a docx whose entries, not bytes, are identical.)
The source text of both documents is below; blocks are separated by blank lines, a block starting
"# " is a heading ("## " a subheading), lines starting "- " are list items, and lines starting "| "
are table rows (docx only).
"""

from __future__ import annotations

import io
import sys
import textwrap
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document

PDF_NAME = "river_ossel_survey.pdf"
DOCX_NAME = "brambleford_chess_rules.docx"
CORRUPT_NAME = "corrupt.pdf"

_FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# Letter-size pages; Helvetica 10 pt at 86 characters a line fits the 468-point text width.
_PAGE_WIDTH, _PAGE_HEIGHT = 612, 792
_LEFT, _TOP, _BOTTOM = 72, 730, 72
_WRAP = 86

RIVER_SURVEY = """\
# River Ossel Water-Quality Survey 2022

Ossel Catchment Partnership, technical report OCP-TR-22-07. Lead author Dr Imogen Saltash, with
field officers Kieran Mulvey and Beatrix Onslow. Published on 28 April 2023.

# 1. Summary

The River Ossel rises on Marden Moss at 437 metres above sea level and flows 64 kilometres to its
estuary at Saltfleet Haven. In 2022 the Ossel Catchment Partnership sampled the river every month
at eight fixed stations, named O1 to O8 from source to sea. Of the 96 planned sampling visits, 94
were made: station O3 was missed in February because the river was in flood, and station O7 was
missed in August because Quayside Bridge was closed for repairs. All water samples were analysed
by the Fenwright Analytical Laboratory at Aysgill within 24 hours of collection.

Overall the upper river is in good condition, the middle reaches are under pressure from sewage
and farming, and the summer heatwave pushed oxygen levels below the standard for trout at one
station. A slurry spill in October caused the worst fish kill on the Ossel since 1998.

# 2. The sampling stations

O1, Marden Moss outflow. The upland reference station, a peat-stained stream 2 metres wide. Its
water is naturally acidic, with a median pH of 5.9, because it drains blanket bog.

O2, Kelda Bridge. Below the first hill farms. A colony of freshwater pearl mussels lives in the
gravel 300 metres downstream of the bridge and was counted at 188 individuals in a snorkel survey
on 6 August 2022, up from 171 in 2019.

O3, below Brackwater sewage works. Sampled 150 metres below the outfall of the works, which
serves a population of about 14,000.

O4, Tannery Weir at Hexley. A stone weir built in 1788 to power the old Hexley tannery. The pool
above the weir is deep and slow, and it warms quickly in summer.

O5, Linthorpe meadows. The river here runs through arable land and is popular for wild swimming.

O6, Ossel Mill. A restored water mill, now a museum, with a fish pass added in 2014.

O7, Quayside Bridge in Saltfleet. The last freshwater station, in the middle of the town.

O8, Saltfleet Haven. At the normal tidal limit, where salinity is recorded as well.

# 3. How the samples were taken

Each station was visited on the same working day of every month where possible, between 09:00
and 13:00, so that results are not skewed by the daily cycle of oxygen in the water. At each
visit the field officer measured temperature, dissolved oxygen, pH and conductivity in the
flowing water with a calibrated multiparameter probe, a Tessaly model 40. The probe was
calibrated every Monday against standard solutions, and its oxygen sensor membrane was changed
in May and November.

A one-litre water sample was taken at each station from mid-stream, at least 20 centimetres
below the surface, using a sampling pole to avoid wading into the flow. Samples were kept in a
cool box at 4 degrees and driven to the laboratory the same day. The laboratory measured nitrate,
phosphate, ammonia and suspended solids; E. coli was counted at the bathing site only. One
duplicate sample in every ten was sent to the laboratory under a false station name, as a check
on its precision; all duplicates agreed within 8 percent.

# 4. Dissolved oxygen and temperature

Dissolved oxygen was above 9 milligrams per litre at every station from October to May. The
lowest reading of the year, 4.1 milligrams per litre, was taken at Tannery Weir (O4) on 19 July
2022, during the heatwave, when the water temperature in the weir pool reached 23.6 degrees
Celsius. Dead and gasping fish were not seen, but the reading is well below the 6 milligrams per
litre needed by brown trout. The partnership believes the slow, shallow weir pool, with no trees
to shade it, is the main cause, and recommends planting alders along its south bank.

The highest water temperature recorded at the upland station O1 was 17.2 degrees, on the same
day, showing how much cooler the shaded moorland stream stays.

# 5. Nutrients

Nitrate was highest at Linthorpe meadows (O5), where the annual mean was 31 milligrams per litre,
compared with 4 milligrams per litre at O1. The peaks came in March and November, after heavy rain
on ploughed fields, which points to field runoff rather than sewage.

Phosphate told a different story. Below Brackwater sewage works (O3) the phosphate standard of
0.1 milligrams per litre was exceeded in 9 of the 11 months sampled, and the annual mean there
was 0.38 milligrams per litre. The works has no phosphate stripping, and its owners, Ossel Water
Services, have committed to installing it by March 2026. Downstream, green blanket weed covered
most of the riverbed at O4 in late summer.

# 6. Bacteria at the bathing site

Linthorpe meadows was sampled weekly for E. coli from 15 May to 30 September 2022, in addition to
the monthly visits, because many people swim there. Of the 20 weekly samples, 17 met the
standard for excellent bathing water. The three failures all came within two days of heavy
rain, when storm overflows upstream discharged. A sign at the meadow gate now advises swimmers to
stay out of the water for 48 hours after heavy rain.

# 7. River invertebrates

Kick samples for invertebrates were taken in April and October at every station. The mayfly
nymphs that are most sensitive to pollution were abundant at O1, O2 and O6, scarce at O4, and
absent at O3. The best biological score of the survey was at Ossel Mill (O6) in April, where the
team recorded 31 families of invertebrates, including the flat-bodied stone-clinging mayfly.
Signal crayfish, an invasive species from North America, were found for the first time at O5 in
October; the partnership has reported the record to the regional invasive species officer.

# 8. The Greaves Farm slurry spill

On 3 October 2022 the wall of a slurry lagoon at Greaves Farm failed and an estimated 900 cubic
metres of slurry entered Hollin Beck, a tributary that joins the Ossel between O4 and O5. The
spill was reported by a walker at 07:50. By the next morning ammonia at O5 had reached 6.8
milligrams per litre, and about 1,400 dead fish, mostly trout and bullhead, were collected along
a 5-kilometre stretch. The regulator prosecuted the farm's owners, who were fined 24,000 pounds
at Aysgill magistrates court in February 2023 and paid for restocking with 3,000 young trout.
Invertebrate numbers below the confluence had largely recovered by the spring of 2023.

# 9. Recommendations

- Plant alders and willows along the south bank of the Tannery Weir pool to shade it.
- Install phosphate stripping at Brackwater sewage works, as promised, by March 2026.
- Offer free soil testing to the arable farms above Linthorpe to cut nitrate losses.
- Inspect every slurry lagoon in the Hollin Beck catchment before the winter of 2023.
- Continue monthly sampling at all eight stations, and add a station on Hollin Beck.

# 10. Acknowledgements

The survey was paid for by a grant of 46,500 pounds from the Saltfleet Rivers Fund. Volunteers
from the Hexley Angling Club gave 640 hours of their time to help with sampling, and pupils of
Linthorpe High School counted the invertebrates in the October samples as part of their
science course. Maps were drawn by Teodor Vasile.
"""

CHESS_RULES = """\
# Brambleford Chess Club: Constitution and Rules of Play

Adopted at the annual general meeting of 14 September 2019 and amended at the annual general
meeting of 10 September 2023.

## 1. Name, history and meetings

The club is called Brambleford Chess Club. It was founded in 1894 in the back room of the
Wheatsheaf Inn by the curate of St Aldhelm's church, the Reverend Septimus Coole, with eleven
original members. The club now meets every Tuesday evening from 7:15 pm to 10:30 pm in the upper
room of the Brambleford Community Hall on Orchard Lane. The hall must be left tidy and locked by
10:45 pm, as required by the hall committee.

The purpose of the club is to promote the playing of chess in Brambleford and the surrounding
villages, to enter teams in the Wendmoor and District Chess League, and to teach the game to
anyone who wants to learn, of any age.

## 2. Membership and subscriptions

Anyone may join the club. Visitors may play for three evenings without charge before they are
asked to join. Subscriptions are due on 1 September each year and are set at the annual general
meeting. The rates for the 2023 to 2024 season are shown below.

| Membership | Annual subscription | Notes
| Adult | 45 pounds | Includes the league registration fee
| Junior, under 18 | 15 pounds | Free coaching on the first Tuesday of each month
| Senior, over 65 | 30 pounds | Same rights as adult members
| Family | 80 pounds | Two adults and any number of juniors at one address

A member whose subscription is more than three months overdue may not play in club competitions
until it is paid. The committee may waive the subscription of any member in financial hardship,
and the decision is kept confidential.

## 3. Officers and committee

The club is run by a committee of five officers elected at each annual general meeting: the
president, the secretary, the treasurer, the match captain and the junior organiser. For the
2023 to 2024 season the officers are Gideon Fairweather (president), Lucinda Marsh (secretary),
Oskar Nyberg (treasurer), Rhiannon Pryce (match captain) and Tobias Ellery-Kent (junior
organiser). The committee meets at least four times a year, and three officers form a quorum.

## 4. The club championship

The club championship is a seven-round Swiss tournament played on Tuesday evenings from October
to March. The winner holds the Coole Cup, a silver trophy given by the founder in 1901, for one
year, and their name is engraved on its plinth. If two or more players finish on equal points,
the championship is decided by a blitz play-off on the last Tuesday in March. The first woman
to win the championship was Winifred Haskett in 1932, who won it four more times before 1940.

## 5. The ladder

Every member has a place on the club ladder. A player may challenge anyone up to three places
above them on the ladder, and a challenged player must play within 14 days or give up their
place to the challenger. If the challenger wins, the two players swap places. A member may not
challenge the same opponent twice in the same calendar month. The ladder is kept on the board by
the door and updated by the secretary each week.

## 6. Rules of play

Games are played under the FIDE Laws of Chess, with the following club rules.

- Touch-move is applied strictly in every club competition, including the ladder.
- A player whose mobile phone rings during a game loses that game immediately.
- In the club championship, a draw may not be offered before move 20.
- The first illegal move completed by a player adds two minutes to the opponent's clock; a
  second illegal move in the same game loses it.
- A player who is more than 30 minutes late for a championship game loses by default.
- Disputes are settled by the arbiter of the evening, whose decision is final, with appeal to the
  committee only on a point of law.

## 7. Time controls

The time control for each competition is given in the table below. All games are played with
digital clocks; an analogue clock may be used only if both players agree.

| Competition | Time for each player | Increment per move
| Club championship | 60 minutes | 10 seconds
| Ladder games | 25 minutes | 5 seconds
| Blitz night, first Tuesday of the month | 5 minutes | 3 seconds
| Wendmoor league matches | 75 minutes | 15 seconds

## 8. Conduct

Players must not discuss or analyse a game in the playing room while other games are in
progress; the small side room is for analysis. Juniors under the age of 12 must be accompanied by
a parent or guardian for the whole evening. Food may not be brought to the playing tables, but
tea and biscuits are served in the side room at the interval, at 8:45 pm.

## 9. Club equipment

The club owns 24 tournament sets with weighted Staunton pieces and 18 digital clocks, kept in
the locked cupboard on the landing. The key is held by the secretary and the match captain.
Sets and clocks may be borrowed for school matches with the permission of the junior organiser.

## 10. Club records

The longest game ever played at the club lasted 143 moves and was drawn, between Arthur Penrose
and Dilys Whitcombe in the championship of 1978. The club's league team has won the first
division of the Wendmoor and District Chess League nine times, most recently in 2022.

## 11. The junior section

Juniors are coached by the junior organiser and two volunteer coaches from 6:30 pm to 7:15 pm
every Tuesday during school terms, before the adult evening begins. Coaching follows the
six-step method, and juniors earn a coloured certificate as they pass each step. Each summer
the junior section plays a friendly match against the Kellerby Chess Club juniors for the Acorn
Shield, which Brambleford has held since 2021. Any junior who wins a game against a member of
the first team receives a free copy of a chess book of their choice from the club library.

All coaches and helpers who work with juniors must hold a current safeguarding certificate, and
the club's safeguarding officer, Priscilla Amherst, may be contacted in confidence about any
concern.

## 12. Annual general meeting

The annual general meeting is held on the second Tuesday of September. It receives the reports
of the officers and the accounts for the past season, elects the officers and the auditor, sets
the subscriptions, and decides any proposed changes to these rules. Every member aged 16 or over
has one vote. Twelve members present form a quorum; if fewer attend, the meeting is adjourned
by one week and those then present form a quorum whatever their number.

Prizes for the season are presented at the end of the meeting, including the Coole Cup, the
ladder prize for the player highest on the ladder on 31 May, and the Haskett Trophy for the most
improved player, given in memory of Winifred Haskett in 1979.

## 13. Changing these rules

These rules may be changed only at an annual general meeting or a special general meeting, by a
two-thirds majority of the members present. Any proposed change must be sent to the secretary in
writing at least 21 days before the meeting and circulated to all members with the notice of the
meeting.
"""


def write_corpus(out_dir: Path) -> list[Path]:
    """Write the PDF, the docx and corrupt.pdf into `out_dir`; their paths, in that order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {
        PDF_NAME: build_pdf(RIVER_SURVEY),
        DOCX_NAME: build_docx(CHESS_RULES),
        CORRUPT_NAME: build_corrupt_pdf(),
    }
    paths = []
    for name, data in outputs.items():
        path = out_dir / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def parse_blocks(source: str) -> list[tuple[str, list[str]]]:
    """`source` as (kind, lines) blocks; kind is heading, subheading, list, table or paragraph."""
    blocks = []
    for block in source.strip().split("\n\n"):
        lines = block.splitlines()
        if block.startswith("## "):
            blocks.append(("subheading", [block[3:]]))
        elif block.startswith("# "):
            blocks.append(("heading", [block[2:]]))
        elif block.startswith("| "):
            blocks.append(("table", [line[2:] for line in lines]))
        elif block.startswith("- "):
            blocks.append(("list", _list_items(lines)))
        else:
            blocks.append(("paragraph", [" ".join(lines)]))
    return blocks


def _list_items(lines: list[str]) -> list[str]:
    """Items of a "- " list whose items may continue on indented lines."""
    items: list[str] = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:])
        else:
            items[-1] += " " + line.strip()
    return items


def build_pdf(source: str) -> bytes:
    """A text PDF of `source` in Helvetica, as many pages as it needs."""
    pages = _layout_pages(parse_blocks(source))
    return _pdf_file([_page_stream(page) for page in pages])


def _layout_pages(blocks: list[tuple[str, list[str]]]) -> list[list[tuple[str, int, int, str]]]:
    """Each page as (font, size, y, text) lines, wrapped and flowed top to bottom."""
    pages: list[list[tuple[str, int, int, str]]] = [[]]
    y = _TOP
    for kind, texts in blocks:
        font, size = ("F2", 13) if kind == "heading" else ("F1", 10)
        lines = [
            ("- " if kind == "list" and i == 0 else "  " if kind == "list" else "") + line
            for text in texts
            for i, line in enumerate(textwrap.wrap(text, _WRAP))
        ]
        if kind == "heading" and y - 3 * 14 < _BOTTOM:  # no heading alone at a page foot
            y = _BOTTOM - 1
        for line in lines:
            if y < _BOTTOM:
                pages.append([])
                y = _TOP
            pages[-1].append((font, size, y, line))
            y -= 14
        y -= 10
    return pages


def _page_stream(lines: list[tuple[str, int, int, str]]) -> bytes:
    """The content stream that shows `lines` at their positions."""
    ops = ["BT"]
    for font, size, y, text in lines:
        ops.append(f"/{font} {size} Tf 1 0 0 1 {_LEFT} {y} Tm ({_pdf_string(text)}) Tj")
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


def _pdf_string(text: str) -> str:
    """`text` escaped for a PDF literal string; the corpus keeps to ascii."""
    if not text.isascii():
        raise ValueError(f"non-ascii text in the PDF source: {text!r}")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf_file(streams: list[bytes]) -> bytes:
    """A PDF 1.4 file with one page per content stream, with a correct xref table."""
    page_ids = [6 + 2 * i for i in range(len(streams))]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % n for n in page_ids), len(streams)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (River Ossel Water-Quality Survey 2022) /Producer (make_corpus.py) >>",
    ]
    for page_id, stream in zip(page_ids, streams, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>"
            % (_PAGE_WIDTH, _PAGE_HEIGHT, page_id + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def build_docx(source: str) -> bytes:
    """A docx of `source` made with python-docx, repacked so its bytes are reproducible."""
    document = docx.Document()
    for kind, texts in parse_blocks(source):
        if kind in ("heading", "subheading"):
            document.add_heading(texts[0], level=0 if kind == "heading" else 1)
        elif kind == "list":
            for item in texts:
                document.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            _add_table(document, [row.split(" | ") for row in texts])
        else:
            document.add_paragraph(texts[0])
    _fix_core_properties(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return _repack_zip(buffer.getvalue())


def _add_table(document: Document, rows: list[list[str]]) -> None:
    """A grid table of `rows`, the first row being the header."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value


def _fix_core_properties(document: Document) -> None:
    """Fixed title, author and dates, in place of python-docx's "now"."""
    properties = document.core_properties
    properties.title = "Brambleford Chess Club: Constitution and Rules of Play"
    properties.author = "Runwright test corpus"
    properties.last_modified_by = "make_corpus.py"
    properties.created = properties.modified = properties.last_printed = _FIXED_DATE
    properties.revision = 1


def _repack_zip(data: bytes) -> bytes:
    """The zip `data` rewritten with fixed entry dates, permissions and compression."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.create_system, entry.external_attr = 3, 0o644 << 16  # as made on unix
            content = source.read(info.filename)
            target.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def build_corrupt_pdf() -> bytes:
    """A PDF header followed by a cut-off object and binary noise: no page, xref or trailer."""
    noise = bytes((i * 37 + 11) % 256 for i in range(256))
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pa" + noise


def main(argv: list[str]) -> None:
    """Write the files into the directory given as the only argument, else next to this script."""
    out_dir = Path(argv[0]) if argv else Path(__file__).resolve().parent
    for path in write_corpus(out_dir):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
