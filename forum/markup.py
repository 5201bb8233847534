"""Markdown source → sanitised HTML fragment, rendered once when a post is written."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from typing import Any

from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from forum.direction import BlockDirection

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h4", "h5", "h6",
        "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "sup", "sub",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# h1 becomes h4 and so on: a post sits under the page's h1, a section's h2 and its own h3
# (the author's name in a thread), so its headings continue the page's outline.
HEADING_SHIFT = 3
FIRST_HEADING = 1 + HEADING_SHIFT
# Far deeper than any real post needs; each level multiplies the parser's work on
# runs of "[" and "![", so the markdown-it default of 100 is needlessly generous.
MAX_NESTING = 32

_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_CODE_CLASS = re.compile(r"language-[\w+#.-]{1,32}")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Allow only the few attributes Markdown itself produces."""
    if tag == "a":
        return name in {"href", "title", "rel"}
    if tag == "ol":
        return name == "start" and value.isdigit()
    if tag == "code":
        return name == "class" and _CODE_CLASS.fullmatch(value) is not None
    return False


def _link_allowed(url: str) -> bool:
    """Accept scheme-less (relative) URLs and the allowed schemes; refuse anything else."""
    # markdown-it hands over the percent-encoded URL, so "java\tscript:" arrives as
    # "java%09script:"; any colon before the path starts must belong to a known scheme.
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    if ":" not in head:
        return True
    return head.split(":", 1)[0].lower() in ALLOWED_PROTOCOLS


def _plain_text(tokens: Sequence[Token]) -> str:
    """Flatten inline tokens (an image's alt) to their text content."""
    parts: list[str] = []
    stack = [iter(tokens)]
    while stack:
        token = next(stack[-1], None)
        if token is None:
            stack.pop()
        elif token.type in {"text", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif token.children:
            stack.append(iter(token.children))
    return "".join(parts)


def _image_as_link(state: StateCore, image: Token, inside_link: bool) -> list[Token]:
    """Replace an image with a link to its URL, or with its text when already in a link."""
    src = str(image.attrGet("src") or "")
    text = Token("text", "", 0, content=_plain_text(image.children or []))
    if not text.content.strip():
        text.content = state.md.normalizeLinkText(src)
    if inside_link:
        return [text]
    link_open = Token("link_open", "a", 1, attrs={"href": src})
    if title := image.attrGet("title"):
        link_open.attrSet("title", title)
    return [link_open, text, Token("link_close", "a", -1)]


def _inline_children(state: StateCore, children: list[Token]) -> list[Token]:
    """Turn images into links and flatten emphasis nested deeper than the nesting limit."""
    out: list[Token] = []
    kept: list[bool] = []
    depth = link_depth = 0
    for child in children:
        if child.type == "image":
            out.extend(_image_as_link(state, child, link_depth > 0))
            continue
        if child.nesting == 1:
            # Emphasis is paired after parsing, so maxNesting does not bound it; thousands
            # of nested <strong> make the sanitiser's HTML parser quadratic.
            keep = depth < MAX_NESTING
            kept.append(keep)
            depth += keep
        elif child.nesting == -1:
            keep = kept.pop()
            depth -= keep
        else:
            keep = True
        if not keep:
            out.append(Token("text", "", 0, content=child.markup))
            continue
        if child.type in {"link_open", "link_close"}:
            link_depth += child.nesting
        out.append(child)
    return out


def _forum_rules(state: StateCore) -> None:
    """Demote headings, turn images into links, bound inline nesting."""
    for token in state.tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(int(token.tag[1:]) + HEADING_SHIFT, 6)}"
        elif token.type == "inline" and token.children:
            token.children = _inline_children(state, token.children)


class _RelFilter(Filter):  # type: ignore[misc]  # bleach has no type information
    """Give every surviving link the same rel, replacing any existing one."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            yield token


_md = MarkdownIt(
    "js-default",
    {
        "linkify": True,
        "typographer": False,
        "html": False,
        "maxNesting": MAX_NESTING,
    },
).enable(["table", "strikethrough", "linkify"])
_md.validateLink = _link_allowed  # type: ignore[method-assign]
_md.core.ruler.push("forum_rules", _forum_rules)

_cleaner = Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=False,
    strip_comments=True,
    filters=[_RelFilter, BlockDirection],
)


def render(source: str) -> str:
    """Render Markdown to HTML that is safe to store and serve verbatim."""
    if not source.strip():
        return ""
    try:
        rendered = _md.render(source)
    # Posts must always be storable: should the parser ever fail on hostile input,
    # fall back to showing the source as escaped text rather than refusing the post.
    except Exception:
        rendered = f"<p>{html.escape(source)}</p>"
    cleaned: str = _cleaner.clean(rendered)
    return cleaned.translate(_BIDI_CONTROLS).strip()
