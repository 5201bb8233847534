"""Snippets: a short passage of a result's plain text around the words that matched, those words marked.

Built from the stored text, escaped first and marked after, so nothing in a
post (nor in the index) can put markup on the results page.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from forum.search.folding import WORD, word_terms

WIDTH = 240
# Characters shown before the first match, so that it is read in its sentence.
LEAD = 60
# A match further on than this in a long post is not looked for: the snippet
# then shows the beginning, and its cost stays bounded.
SCAN = 20000


def _cut(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the window's edges to spaces, so that no word is cut in half."""
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def snippet(text: str, wanted: frozenset[str]) -> Markup:
    """About WIDTH characters of `text` around its first word with one of the `wanted` terms, words marked."""
    first = next(
        (m.start() for m in WORD.finditer(text, 0, SCAN) if not wanted.isdisjoint(word_terms(m.group()))),
        0,
    )
    start, end = _cut(text, max(0, first - LEAD), max(0, first - LEAD) + WIDTH)
    parts: list[str] = ["…" if start > 0 else ""]
    position = start
    for match in WORD.finditer(text, start, end):
        if wanted.isdisjoint(word_terms(match.group())):
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group())
        position = match.end()
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return Markup("").join(parts)
