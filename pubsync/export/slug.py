"""File-name slugs that are safe for any title: ASCII [a-z0-9-] only, never empty, never '.', '..' or a path."""
from __future__ import annotations

import re

from pubsync.export.names import ascii_fold, fold_uncached

MAX_SLUG = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "untitled", max_len: int = MAX_SLUG) -> str:
    """'Localize-and-Stitch: Efficient …' → 'localize-and-stitch-efficient-…', cut at a word boundary."""
    slug = _NOT_SLUG.sub("-", fold_uncached(str(text)).lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut[1:] else slug[:max_len]
        slug = slug.strip("-")
    if not slug:
        slug = _NOT_SLUG.sub("-", ascii_fold(str(fallback)).lower()).strip("-")[:max_len] or "untitled"
    return slug
