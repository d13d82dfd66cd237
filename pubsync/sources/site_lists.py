"""A publication list in a page: a Markdown list (`* [Title](url) … **Owner**, B\\*, C. *Venue.*`) or HTML blocks
(`<div class="pub">`, `<li>`), between pubsync's markers when the page has them, else the list found in the page.
Also the author-string reader every hand-written form shares: "A, **Me\\***, B and C" -> Authors, `*` kept as
equal-contribution marks (in the name, as names.split_marks reads them), the bold name as the owner."""
from __future__ import annotations

import html
import re
from typing import Any

from pubsync.names import split_name
from pubsync.records import Author, Record, canonical_arxiv, canonical_doi

# Link labels that are link types every export knows (view.LINK_TYPES): kept under that name, the others under
# "links" with their label.
LINK_NAMES = ("pdf", "code", "html", "website", "slides", "poster", "supp", "video", "blog", "dataset")
START, END = "<!-- pubsync:start -->", "<!-- pubsync:end -->"
_TAG = re.compile(r"<[^>]+>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.I)
_DOI = re.compile(r"doi\.org/(10\.\d{4,9}/[^\s\"'<>)]+)", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def _block(text: str, form: str, name: str) -> str:
    """The part of the page holding the list: between the markers; else the publications section (an HTML element
    whose id or class names publications, a Markdown heading "Publications" up to the next heading of its level);
    else, on a page named for publications, the whole page without comments; else nothing (a home page's news and
    menus are not papers)."""
    if START in text and END in text:
        return text.split(START, 1)[1].split(END, 1)[0]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    if form == "html":
        m = re.search(r'<(section|div|ul|ol)\b[^>]*(?:id|class)="[^"]*publication[^"]*"[^>]*>', text, re.I)
        if m:
            rest = text[m.end():]
            end = re.search(r"</section>|<section\b|</body>", rest, re.I)
            return rest[:end.start()] if end else rest
    else:
        m = re.search(r"^(#{1,6})\s*[^\n]*publications?\b[^\n]*$", text, re.I | re.M)
        if m:
            rest = text[m.end():]
            end = re.search(rf"^#{{1,{len(m.group(1))}}}\s", rest, re.M)
            return rest[:end.start()] if end else rest
    return text if "publication" in name.lower() or "paper" in name.lower() else ""


def items(text: str, form: str, name: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(key, payload) of every entry of the page's list, in page order; payload {"text", "heading"}."""
    block = _block(text, form, name)
    found = _html_items(block) if form == "html" else _markdown_items(block)
    return [(f"{i:03d}", {"text": item, "heading": heading, "position": i})
            for i, (heading, item) in enumerate(found, 1)]


def _markdown_items(block: str) -> list[tuple[str, str]]:
    out, heading, current = [], "", None
    for line in block.splitlines():
        if re.match(r"#{1,6}\s", line):
            heading = line.lstrip("#").strip()
            continue
        if re.match(r"\s{0,3}[*\-+]\s+|\s{0,3}\d+\.\s+", line) and ("](" in line or "**" in line):
            current = [line]
            out.append((heading, current))
        elif current is not None and line.strip() and line.startswith((" ", "\t")):
            current.append(line)
        elif not line.strip():
            continue
        else:
            current = None
    return [(h, "\n".join(lines)) for h, lines in out]


def _html_items(block: str) -> list[tuple[str, str]]:
    """Each `<div class="pub">` up to the next one (or year heading), or each `<li>`; a year heading (an element
    of class `yr`/`pubyear`, or an <h2>-<h4>) names the group of the entries after it."""
    marks = list(re.finditer(r'<(?:span|div)[^>]*class="yr"[^>]*>([^<]*)<|<h[2-4][^>]*>([^<]*)</h[2-4]>'
                             r'|<div class="pub">|<li[^>]*>', block))
    out, heading = [], ""
    for i, m in enumerate(marks):
        if m.group(1) is not None or m.group(2) is not None:
            heading = (m.group(1) or m.group(2) or "").strip()
            continue
        end = marks[i + 1].start() if i + 1 < len(marks) else len(block)
        body = block[m.end():end]
        if m.group(0).startswith("<li"):
            body = body.split("</li>", 1)[0]
        if body.strip():
            out.append((heading, body.strip()))
    return out


def plain(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _TAG.sub("", text).replace("\\*", "*")
    text = re.sub(r"(\*\*|__)(.*?)\1", r"\2", text)
    return " ".join(html.unescape(text).split())


def parse_authors(text: str) -> tuple[list[Author], bool]:
    """Authors of a hand-written author line; (authors, complete). 'et al.' makes the list incomplete. A trailing
    '*' (equal contribution) and the bold/`me` marking are display, not the name: names are kept without them."""
    text = re.sub(r"<span class=\"eq\">.*?</span>", "", text, flags=re.S)
    text = re.sub(r"\([^)]*equal contribution[^)]*\)", "", text, flags=re.I)
    text = plain(text).strip().rstrip(".")
    complete = True
    if re.search(r",?\s*(et al\.?|and others)$", text):
        text = re.sub(r",?\s*(et al\.?|and others)$", "", text)
        complete = False
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", text) if p.strip()]
    authors = []
    for part in parts:
        bare = part.rstrip("*†‡ ").strip()
        if not bare:
            continue
        family, given = split_name(bare)
        authors.append(Author(name=part, family=family, given=given))     # the name keeps its marks: "Yifei He*"
    return authors, complete


def item_record(payload: dict[str, Any], source: str, source_id: str) -> tuple[Record, dict[str, Any]]:
    return (_html_record if payload["form"] == "html" else _markdown_record)(payload, source, source_id)


def _links(text: str, rec: Record, urls: list[str]) -> None:
    for url in urls:
        doi, arxiv = _DOI.search(url), _ARXIV.search(url)
        if doi and "doi" not in rec.ids:
            rec.ids["doi"] = canonical_doi(doi.group(1))
        if arxiv and "arxiv" not in rec.ids:
            rec.ids["arxiv"] = canonical_arxiv(arxiv.group(1))


def _year(*texts: str) -> int | None:
    for text in texts:
        m = _YEAR.search(text or "")
        if m:
            return int(m.group(1))
    return None


def _markdown_record(payload: dict[str, Any], source: str, source_id: str) -> tuple[Record, dict[str, Any]]:
    text = payload["text"]
    lines = [re.sub(r"<br\s*/?>", "", line).strip() for line in text.splitlines()]
    first = re.sub(r"^\s*(?:[*\-+]|\d+\.)\s+", "", lines[0])
    rec = Record(source=source, source_id=source_id)
    title_link = _MD_LINK.match(first)
    links = {}
    if title_link:
        rec.title = plain(title_link.group(1)).rstrip(".")
        rec.url = title_link.group(2)
        for label, url in _MD_LINK.findall(first[title_link.end():]):
            links[plain(label).strip('[] /').lower()] = url
    else:
        rec.title = plain(re.split(r"\[", first)[0]).rstrip(".")
    rest = [line for line in lines[1:] if line]
    author_line = next((line for line in rest if "**" in line or "," in line), "")
    rec.authors, rec.authors_complete = parse_authors(author_line)
    venue_line = next((line for line in rest if line is not author_line and line.startswith(("*", "_"))), "")
    rec.venue = plain(venue_line).strip("*_ ").rstrip(".")
    rec.year = _year(rec.venue, payload.get("heading", ""))
    rec.date = str(rec.year) if rec.year else ""
    _links(text, rec, [rec.url, *links.values()])
    rec.type = "preprint" if "arxiv" in rec.ids and not rec.venue else "other"
    fields: dict[str, Any] = {name: links.pop(name) for name in LINK_NAMES if name in links}
    if links:
        fields["links"] = links
    rec.extra = {"fields": fields}
    return rec, {"heading": payload.get("heading", ""), "text": text, "position": payload.get("position", 0)}


def _likely_title(text: str) -> str:
    """An unmarked HTML entry's title: the longest text of a link or an emphasised run (`<a>`, `<b>`, `<strong>`,
    `<em>`, `<i>`) of three words or more (the owner's bold name is shorter); else the text before the first period."""
    runs = re.finditer(r"<(a|b|strong|em|i)\b[^>]*>(.*?)</\1>", text, re.S)
    # a link keeps its tag, so the title's URL is found; an emphasised run its inner HTML (a link inside it)
    candidates = [m.group(0) if m.group(1) == "a" else m.group(2) for m in runs]
    candidates = [c for c in candidates if len(plain(c).split()) >= 3]
    if candidates:
        return max(candidates, key=lambda c: len(plain(c)))
    return plain(text).split(". ")[0]


def _html_record(payload: dict[str, Any], source: str, source_id: str) -> tuple[Record, dict[str, Any]]:
    text = payload["text"]
    rec = Record(source=source, source_id=source_id)
    title = re.search(r'<(div|span|p|h\d)[^>]*class="[^"]*title[^"]*"[^>]*>(.*?)</\1>', text, re.S)
    title_html = title.group(2) if title else _likely_title(text)
    link = re.search(r'href="([^"]+)"', title_html)
    rec.title = plain(title_html)
    rec.url = html.unescape(link.group(1)) if link else ""
    authors = re.search(r'<(div|p|span)[^>]*class="[^"]*authors?[^"]*"[^>]*>(.*?)</\1>', text, re.S)
    rec.authors, rec.authors_complete = parse_authors(authors.group(2) if authors else "")
    badges = [plain(b) for b in re.findall(r'<span class="badge[^"]*">(.*?)</span>', text, re.S)]
    venue = next((b for b in badges if b.lower() != "preprint"), "")
    rec.venue = venue
    rec.year = _year(venue, payload.get("heading", ""))
    rec.date = str(rec.year) if rec.year else ""
    extra_links = {plain(label): html.unescape(url) for url, label in
                   re.findall(r'<a class="badge[^"]*" href="([^"]+)"[^>]*>(.*?)</a>', text, re.S)}
    _links(text, rec, [rec.url])
    rec.type = "preprint" if any(b.lower() == "preprint" for b in badges) else "other"
    fields: dict[str, Any] = {}
    if badges:
        fields["badges"] = badges
    if extra_links:
        fields["links"] = extra_links
    rec.extra = {"fields": fields}
    return rec, {"heading": payload.get("heading", ""), "text": text, "position": payload.get("position", 0)}
