"""The YAML emitter of the data files (papers.yml, citations.yml, front matter): block style, deterministic.

Every string is double-quoted with JSON escapes (JSON strings are valid YAML 1.1/1.2 double-quoted scalars), so no
title can turn into a number, a boolean, an anchor or a comment, whatever it holds. Characters YAML treats as line
breaks or forbids (NEL, LS, PS, BOM, C1 controls, lone surrogates) are escaped too.
"""
from __future__ import annotations

import re
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RESERVED_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
# Allowed raw by JSON but not printable (or a line break) for YAML; \ud800-\udfff are lone surrogates.
_YAML_UNSAFE = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def quote(text: str) -> str:
    """The JSON string of `text` (json.dumps with ensure_ascii=False), with YAML's unsafe characters escaped."""
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encode_basestring(text))


@lru_cache(maxsize=1024)      # a data file has a few dozen distinct keys, each written once per work
def key(value: Any) -> str:
    """A mapping key: bare when it is a plain word YAML reads as a string, else quoted."""
    text = str(value)
    return text if _PLAIN_KEY.match(text) and text.lower() not in _RESERVED_WORDS else quote(text)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return quote(str(value))


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


def _empty(value: dict | list) -> str:
    return "{}" if isinstance(value, dict) else "[]"


def _emit_map(mapping: dict, pad: str, first: str, out: list[str]) -> None:
    """Lines for a mapping whose keys sit at `pad`; the first line starts with `first` (pad, or the "- " of a list)."""
    prefix = first
    for k, v in mapping.items():
        if isinstance(v, (dict, list)) and v:
            out.append(f"{prefix}{key(k)}:")
            if isinstance(v, dict):
                _emit_map(v, pad + "  ", pad + "  ", out)
            else:
                _emit_seq(v, pad + "  ", out)
        else:
            out.append(f"{prefix}{key(k)}: {_empty(v) if isinstance(v, (dict, list)) else scalar(v)}")
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
            out.append(f"{pad}- {_empty(item) if isinstance(item, (dict, list)) else scalar(item)}")
