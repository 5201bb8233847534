"""Text direction of each block of a rendered post, so a Persian paragraph in an English post reads right to left.

The post as a whole carries the `dir` of its language; a quote, list item or
table cell in another script needs its own, or the browser aligns it with the
post and puts its full stop at the wrong end. The direction is decided here,
when the post is rendered, rather than left to `dir="auto"`: that takes the
first strong letter ("Marx می‌گوید…" would read left to right), skips every
descendant that has a `dir` of its own (a quote of right-to-left paragraphs
would come out left to right), and many feed readers ignore it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from bleach.html5lib_shim import Filter

# Blocks that get a direction of their own; tr, thead and tbody follow their table.
DIRECTED_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "table", "th", "td", "pre"}
)
# Code reads left to right in any language, and its letters say nothing about the prose around it.
CODE = frozenset({"pre", "code"})
DIR = (None, "dir")

# Letters of the right-to-left scripts (bidi classes R and AL): Hebrew, Arabic, Syriac, Thaana,
# N'Ko, Samaritan, Mandaic and their presentation forms.
_RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(slots=True)
class _Count:
    """Strong letters of each direction, and the direction of the first of them."""

    ltr: int = 0
    rtl: int = 0
    first: str | None = None

    def add(self, ltr: int, rtl: int, first: str | None) -> None:
        self.ltr += ltr
        self.rtl += rtl
        self.first = self.first or first

    def direction(self) -> str | None:
        """The direction of most letters; the first letter's on a tie; None without letters."""
        if self.ltr != self.rtl:
            return "rtl" if self.rtl > self.ltr else "ltr"
        return self.first


@dataclass(slots=True)
class _Block:
    start: dict[str, Any]
    # Letters of its own text, outside the blocks it holds.
    own: _Count = field(default_factory=_Count)
    # One vote per block it holds (paragraphs of a quote, items of a list, cells of a table).
    parts: _Count = field(default_factory=_Count)

    def direction(self) -> str | None:
        if self.start["name"] == "pre":
            return "ltr"
        return self.own.direction() or self.parts.direction()


def _count_letters(text: str) -> tuple[int, int, str | None]:
    """Left-to-right letters, right-to-left letters, and the direction of the first letter in `text`."""
    letters = _LETTER.findall(text)
    rtl = len(_RTL_LETTER.findall("".join(letters)))
    first = None
    if letters:
        first = "rtl" if _RTL_LETTER.match(letters[0]) else "ltr"
    return len(letters) - rtl, rtl, first


def _is_address(text: str, href: str) -> bool:
    """Whether a link shows its own address (an autolink, "www.…" or an e-mail address)."""
    shown, target = text.strip(), unquote(href)
    return bool(shown) and target in (shown, f"http://{shown}", f"mailto:{shown}")


class BlockDirection(Filter):  # type: ignore[misc]  # bleach has no type information
    """Give every block of sanitised HTML the `dir` of the letters it holds.

    A block with text of its own (a paragraph, a heading, a list item before its
    sub-list) takes the direction of most of its letters; a container (a quote, a
    list, a table) the direction of most of the blocks it holds, so a Persian list
    with one long English item stays a Persian list. Code blocks are always left
    to right; a block without letters (digits, a rule) inherits. Link text that is
    the link's own address (an autolink) is not counted, so a Persian sentence
    ending in a long URL stays right to left.

    Runs after the sanitiser, on HTML whose tags and attributes it already allowed.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        tokens = list(super().__iter__())
        stack: list[_Block] = []
        code_depth = 0
        link: tuple[str, list[str]] | None = None
        for token in tokens:
            kind, name = token["type"], token.get("name")
            if kind == "StartTag":
                if name in DIRECTED_BLOCKS:
                    stack.append(_Block(token))
                if name in CODE:
                    code_depth += 1
                elif name == "a":
                    link = (str(token["data"].get((None, "href"), "")), [])
            elif kind == "EndTag":
                if name in CODE:
                    code_depth -= 1
                elif name == "a" and link is not None:
                    href, parts = link
                    link = None
                    text = "".join(parts)
                    if not _is_address(text, href):
                        self._count(stack, text)
                if name in DIRECTED_BLOCKS and stack:
                    block = stack.pop()
                    if direction := block.direction():
                        block.start["data"][DIR] = direction
                        if stack:
                            stack[-1].parts.add(int(direction == "ltr"), int(direction == "rtl"), direction)
            elif kind == "Characters" and code_depth == 0:
                if link is not None:
                    link[1].append(token["data"])
                else:
                    self._count(stack, token["data"])
        yield from tokens

    @staticmethod
    def _count(stack: list[_Block], text: str) -> None:
        if stack:
            stack[-1].own.add(*_count_letters(text))
