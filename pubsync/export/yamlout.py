"""A small, fast, deterministic YAML emitter for the data files (papers.yml, citations.yml, front matter).

Every string is double-quoted with JSON escapes (JSON strings are valid YAML 1.1/1.2 double-quoted scalars), so no
title can turn into a number, a boolean, an anchor or a comment, whatever it holds. Characters YAML treats as line
breaks or forbids (NEL, LS, PS, BOM, C1 controls, lone surrogates) are escaped too. PyYAML's emitter is ~20x slower.
"""
from __future__ import annotations

import json
import re
from json.encoder import encode_basestring
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Allowed raw by JSON but not printable (or a line break) for YAML; \ud800-\udfff are lone surrogates.
_YAML_UNSAFE = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')


def quote(text: str) -> str:
    # isprintable() is False for every character _NEEDS_ESCAPE lists except the quote and the backslash.
    if text.isprintable() and '"' not in text and "\\" not in text or not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    out = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


# quote() minus the YAML-only escapes, as one C call: a JSON string. A document built with it must go through
# yaml_safe() once at the end; that escapes the same characters quote() would have (they can only be inside strings).
quote_json = encode_basestring


def yaml_safe(document: str) -> str:
    """A document whose strings were written with quote_json(), with what YAML forbids escaped as quote() does."""
    if document.isascii() or not _YAML_UNSAFE.search(document):
        return document
    return _YAML_UNSAFE.sub(_escape_unsafe, document)


# The UTF-8 of what _YAML_UNSAFE finds, by first byte: DEL; U+0080-U+00BF (C1 controls are U+0080-U+009F, a superset
# is fine: a hit only means the exact check runs); LS, PS; BOM, U+FFFE, U+FFFF. A single byte is found at memchr
# speed, so the longer sequences are only looked for after their first byte.
_UNSAFE_UTF8 = ((b"\x7f", ()), (b"\xc2", ()), (b"\xe2", (b"\xe2\x80\xa8", b"\xe2\x80\xa9")),
                (b"\xef", (b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf")))


def yaml_bytes(document: str) -> bytes:
    """yaml_safe(document).encode("utf-8", "replace"), faster: encoded first, then checked as bytes."""
    try:
        data = document.encode("utf-8")
    except UnicodeEncodeError:        # a lone surrogate, which yaml_safe() escapes
        return yaml_safe(document).encode("utf-8", "replace")
    if data.isascii():
        return data
    for first, sequences in _UNSAFE_UTF8:
        if first in data and (not sequences or any(seq in data for seq in sequences)):
            return yaml_safe(document).encode("utf-8")
    return data


def _escape_unsafe(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


_KEYS: dict[str, str] = {}     # the emitted form of every string key seen (a handful: field names)


def _key(key: Any) -> str:
    text = str(key)
    out = text if _PLAIN_KEY.match(text) and text.lower() not in _RESERVED_WORDS else quote(text)
    if type(key) is str and len(_KEYS) < 4096:
        _KEYS[key] = out
    return out


_RESERVED_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value: Any) -> str:
    if type(value) is str:
        return quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return quote(str(value))


def _empty(value: dict | list) -> str:
    return "{}" if isinstance(value, dict) else "[]"


def _emit_map(mapping: dict, pad: str, first: str, out: list[str]) -> None:
    """Lines for a mapping whose keys sit at `pad`; the first line starts with `first` (pad, or the "- " of a list)."""
    prefix = first
    inner = pad + "  "
    keys = _KEYS
    append = out.append
    for k, v in mapping.items():
        key = keys.get(k) if type(k) is str else None
        if key is None:
            key = _key(k)
        t = type(v)
        if t is str:                          # the common cases first, spelled out: this loop is the hot path
            append(f"{prefix}{key}: {quote(v)}")
        elif t is int:
            append(f"{prefix}{key}: {v}")
        elif t is bool:
            append(f"{prefix}{key}: {'true' if v else 'false'}")
        elif isinstance(v, (dict, list)):
            if not v:
                append(f"{prefix}{key}: {_empty(v)}")
            else:
                append(f"{prefix}{key}:")
                if isinstance(v, dict):
                    _emit_map(v, inner, inner, out)
                else:
                    _emit_seq(v, inner, out)
        else:
            append(f"{prefix}{key}: {_scalar(v)}")
        prefix = pad


def _emit_seq(seq: list, pad: str, out: list[str]) -> None:
    for item in seq:
        if isinstance(item, dict) and item:
            _emit_map(item, pad + "  ", pad + "- ", out)
        elif isinstance(item, list) and item:
            lines: list[str] = []
            _emit_seq(item, pad + "  ", lines)
            lines[0] = pad + "- " + lines[0][len(pad) + 2:]
            out.extend(lines)
        else:
            out.append(f"{pad}- {_empty(item) if isinstance(item, (dict, list)) else _scalar(item)}")


def key(value: Any) -> str:
    """A mapping key as dump() writes it."""
    return _key(value)


scalar = _scalar


def emit_map(mapping: dict, pad: str, out: list[str]) -> None:
    """Append the lines of a non-empty mapping whose keys sit at `pad` (as dump() writes a nested one)."""
    _emit_map(mapping, pad, pad, out)


def dump(value: dict | list) -> str:
    """Block-style YAML for a dict or a list; ends with a newline."""
    if not value:
        return _empty(value) + "\n"
    out: list[str] = []
    if isinstance(value, dict):
        _emit_map(value, "", "", out)
    else:
        _emit_seq(value, "", out)
    return "\n".join(out) + "\n"
