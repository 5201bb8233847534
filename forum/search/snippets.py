"""Snippets: a short passage of a result's plain text around the words that matched, those words marked.

Built from the stored text, escaped first and marked after, so nothing in a
post (nor in the index) can put markup on the results page.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from forum.search.folding import word_terms, words

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
    """About WIDTH characters of `text` around its first word with one of the `wanted` terms, words marked.

    One pass over the words, which ends at the window's end: the words before
    the first match are looked at once, those after the window not at all.
    """
    first = -1
    marked: list[tuple[int, int]] = []
    end = WIDTH
    for match in words(text, SCAN):
        if first >= 0 and match.start() >= end:
            break
        if wanted.isdisjoint(word_terms(match.group())):
            continue
        if first < 0:
            first = match.start()
            end = max(0, first - LEAD) + WIDTH
        marked.append(match.span())
    start, end = _cut(text, max(0, first - LEAD), max(0, first - LEAD) + WIDTH)
    parts: list[str] = ["…" if start > 0 else ""]
    position = start
    for word_start, word_end in marked:
        if word_start < start or word_end > end:
            continue
        parts.append(escape(text[position:word_start]))
        parts.append(Markup("<mark>%s</mark>") % text[word_start:word_end])
        position = word_end
    parts.append(escape(text[position:end]))
    parts.append("…" if end < len(text) else "")
    return Markup("").join(parts)
