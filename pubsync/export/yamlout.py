"""A small, fast, deterministic YAML emitter for the data files (papers.yml, citations.yml, front matter).

Every string is double-quoted with JSON escapes (JSON strings are valid YAML 1.1/1.2 double-quoted scalars), so no
title can turn into a number, a boolean, an anchor or a comment, whatever it holds. Characters YAML treats as line
breaks or forbids (NEL, LS, PS, BOM, C1 controls, lone surrogates) are escaped too. PyYAML's emitter is ~20x slower.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Allowed raw by JSON but not printable (or a line break) for YAML; \ud800-\udfff are lone surrogates.
_YAML_UNSAFE = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')


def quote(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    out = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


@lru_cache(maxsize=4096)
def _key(key: Any) -> str:
    key = str(key)
    return key if _PLAIN_KEY.match(key) and key.lower() not in _RESERVED_WORDS else quote(key)


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
    for k, v in mapping.items():
        if isinstance(v, (dict, list)):
            if not v:
                out.append(f"{prefix}{_key(k)}: {_empty(v)}")
            else:
                out.append(f"{prefix}{_key(k)}:")
                if isinstance(v, dict):
                    _emit_map(v, inner, inner, out)
                else:
                    _emit_seq(v, inner, out)
        else:
            out.append(f"{prefix}{_key(k)}: {_scalar(v)}")
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
