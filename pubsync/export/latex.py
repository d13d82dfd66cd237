"""BibTeX value encoding: plain text → escaped (optionally LaTeX-encoded) text, protected capitals, markup, URLs.

Every value is written on one line inside braces. BibTeX counts braces even after a backslash, so an unbalanced
brace in a title is written as \\textbraceleft{} / \\textbraceright{}, never as \\{ alone.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from pubsync.export.markup import one_line

_SPECIALS = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
             "^": r"\textasciicircum{}", "\\": r"\textbackslash{}", "<": r"\textless{}", ">": r"\textgreater{}"}
# < and > too: LaTeX's OT1 font prints them as ¡ and ¿, and spelled out they can never form an HTML tag.
_SPECIAL_RE = re.compile(r"[&%$#_~^\\{}<>]")
_LEAD_PUNCT = "\"'([{\\"
_EDGES = re.compile(r"^([\"'(\[]*)(.*?)([.,:;!?)\]\"']*)$", re.S)


@lru_cache(maxsize=1)
def _encoder():
    from pylatexenc.latexencode import UnicodeToLatexEncoder
    # pylatexenc logs every character it has no macro for (CJK, emoji); those are kept as UTF-8 on purpose.
    logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)
    return UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all",
                                 unknown_char_policy="keep")


def _braces_balanced(text: str) -> bool:
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def escape(text: str, latex: bool = False) -> str:
    """Plain text → BibTeX-safe text on one line. `latex=True` also turns non-ASCII into LaTeX macros ({\\"u})."""
    text = one_line(text)
    balanced = _braces_balanced(text)

    def sub(m: re.Match[str]) -> str:
        ch = m.group()
        if ch in "{}":
            if balanced:
                return "\\" + ch
            return r"\textbraceleft{}" if ch == "{" else r"\textbraceright{}"
        return _SPECIALS[ch]

    out = _SPECIAL_RE.sub(sub, text)
    if latex and not out.isascii():
        out = _encoder().unicode_to_latex(out)
    return out


def _needs_protection(word: str, first: bool) -> bool:
    core = word.lstrip(_LEAD_PUNCT)
    rest = core[1:]
    if rest != rest.lower():                            # BERT, GMorph, iPhone, Localize-and-Stitch
        return True
    return not first and core[:1].isupper() and not any(c.isalpha() for c in rest)   # "Type I Error"


def title(text: str, latex: bool = False) -> str:
    """Like escape(), with words whose capitals a style would lower-case wrapped in braces: {BERT}."""
    text = one_line(text)
    if not _braces_balanced(text):
        return escape(text, latex)     # escape() spells out every brace; adding ours could not be checked
    words = text.split()
    return " ".join(_title_word(word, i == 0, latex) for i, word in enumerate(words))


def _title_word(word: str, first: bool, latex: bool) -> str:
    if not _needs_protection(word, first):
        return _escape_word(word, latex)
    # Brace the word itself, not the punctuation around it: "{BERT}:" rather than "{BERT:}".
    m = _EDGES.match(word)
    lead, core, trail = m.group(1), m.group(2), m.group(3)
    return _escape_word(lead, latex) + "{" + _escape_word(core, latex) + "}" + _escape_word(trail, latex)


def _escape_word(word: str, latex: bool) -> str:
    return escape(word, latex) if _braces_balanced(word) else _escape_in_balanced(word, latex)


def _escape_in_balanced(word: str, latex: bool) -> str:
    # A word holding half of a pair that closes in another word: \{ stays balanced over the whole title.
    return "".join("\\" + ch if ch in "{}" else escape(ch, latex) for ch in word)


def markup(text: str) -> str:
    """al-folio's Markdown/HTML fields (annotation, additional_info, award…): kept as written on one line, braces as
    HTML entities so BibTeX and Liquid never see them."""
    return one_line(text).replace("{", "&#123;").replace("}", "&#125;")


def raw_id(text: str) -> str:
    """DOIs, arXiv ids, Scholar ids: verbatim on one line, with the characters BibTeX cannot hold and those that would
    break out of a template's attribute (" < >) percent-encoded."""
    return one_line(text).replace(" ", "").replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D") \
        .replace('"', "%22").replace("<", "%3C").replace(">", "%3E")


_MACROS = {"i": "textit", "b": "textbf", "sub": "textsubscript", "sup": "textsuperscript", "sc": "textsc"}


def rich(nodes: tuple, latex: bool = False, protect: bool = False) -> str:
    """Sanitized inline markup (export.markup.rich) → BibTeX: \\textit{}, \\textbf{}, \\textsubscript{},
    \\textsuperscript{}, \\textsc{}; the text escaped, and with `protect` its capitals braced as title() does."""
    if len(nodes) == 1 and isinstance(nodes[0], str):
        return title(nodes[0], latex) if protect else escape(nodes[0], latex)
    first = [True]

    def piece(text: str) -> str:
        core = text.strip()
        if not core:
            return " " if text else ""
        lead = " " if text[0].isspace() else ""
        trail = " " if text[-1].isspace() else ""
        if protect and _braces_balanced(core):
            words = core.split()
            body = " ".join(_title_word(w, first[0] and i == 0, latex) for i, w in enumerate(words))
        else:
            body = escape(core, latex)     # each piece is its own brace group: an unbalanced brace is spelled out
        first[0] = False
        return lead + body + trail

    def walk(ns: tuple) -> str:
        return "".join(piece(n) if isinstance(n, str) else f"\\{_MACROS[n[0]]}{{{walk(n[1])}}}" for n in ns)

    return walk(nodes)
