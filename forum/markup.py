"""Markdown source → sanitised HTML fragment, rendered once when a post is written."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import anyio
from anyio.lowlevel import RunVar
from bleach.html5lib_shim import Filter
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.common import normalize_url
from markdown_it.rules_block import StateBlock
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
# Far deeper than any real post needs (eight lists, one inside the other); each level
# multiplies the parser's work on runs of "[" and "![", so the markdown-it default of
# 100 is needlessly generous. Blocks nested deeper are shown as plain text.
MAX_NESTING = 16
# Links in one text; any further ones are shown as their text and address. Each link
# costs the parser and the sanitiser far more than the same length of plain text.
MAX_LINKS = 300
# Texts rendered at once by one process, each in a thread of its own. Rendering is pure
# Python, so more threads would not render faster, only take the event loop's turns.
RENDER_THREADS = 2

_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt) but for the two
# joiners: characters that show as nothing. In a link's host they would make it lead
# elsewhere than it reads; further on they hide part of the address.
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# ZWNJ and ZWJ belong inside Persian (and other) words, so a path may keep them; a host may not.
_INVISIBLE_IN_PATH = re.compile(f"[{_IGNORABLE}]")
_INVISIBLE_IN_HOST = re.compile(f"[{_IGNORABLE}\u200c\u200d]")
# Scheme and authority (user, host, port), then the rest of the address.
_URL_PARTS = re.compile(r"((?:[a-z][a-z0-9+.-]*:)?(?://)?[^/?#]*)(.*)", re.I | re.S)
_CODE_CLASS = re.compile(r"language-[\w+#.-]{1,32}")
# "@" at the start of a word (not in "someone@example.org"), then a name as registration allows it:
# letters, digits and marks of any script, the signs _ - . and the zero-width non-joiner.
MENTION = re.compile(
    r"(?<![\w@])@([^\W_](?:[^\W_]|[_.\-\u200c\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed])*)"
)
MENTION_TRAILING_SIGNS = "_.-\u200c"
MEMBER_PATH = "/members/"


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Allow only the few attributes Markdown itself produces."""
    if tag == "a":
        return name in {"href", "title", "rel"} or (name == "class" and value == "mention")
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


def _visible(url: str) -> str:
    """The address without the characters that would not show in it."""
    match = _URL_PARTS.fullmatch(url)
    assert match is not None  # the pattern matches any string
    return _INVISIBLE_IN_HOST.sub("", match[1]) + _INVISIBLE_IN_PATH.sub("", match[2])


def _normalize_link(url: str) -> str:
    """The address a link leads to: nothing invisible in it, its host in ASCII (punycode)."""
    return normalize_url.normalizeLink(_visible(url))


def _normalize_link_text(link: str) -> str:
    """An address shown as a link's text: the same address as the link's, its host in Unicode."""
    return normalize_url.normalizeLinkText(_visible(link))


def _shows_idn(link: Token) -> None:
    """Put the ASCII (punycode) form of an internationalised address in the link's title: its text
    shows the Unicode form, in which a look-alike of another site's name passes unnoticed."""
    href = str(link.attrGet("href") or "")
    parts = urlsplit(href)
    host = parts.hostname or (parts.path.rpartition("@")[2] if parts.scheme == "mailto" else "")
    if any(label.startswith("xn--") for label in host.lower().split(".")):
        title = link.attrGet("title")
        link.attrSet("title", f"{title} ({href})" if title else href)


def _nesting_cut(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """At the nesting limit, keep the rest of the block as plain text (markdown-it would drop it unseen)."""
    if silent or state.level < MAX_NESTING:
        return False
    state.line = end_line
    rest = state.getLines(start_line, end_line, state.blkIndent, False).strip()
    if rest:
        state.push("paragraph_open", "p", 1)
        state.push("text", "", 0).content = rest
        state.push("paragraph_close", "p", -1)
    return True


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


class _Links:
    """The links of one text so far: past MAX_LINKS, a link is shown as its text and address."""

    def __init__(self) -> None:
        self.count = 0

    def admit(self, link_open: Token) -> bool:
        if self.count >= MAX_LINKS:
            return False
        self.count += 1
        _shows_idn(link_open)
        return True


def _unlinked(link_open: Token) -> str:
    """What follows the text of a link shown as text: its address, unless the text is the address."""
    if link_open.markup in {"linkify", "autolink"}:
        return ""
    return f" ({link_open.attrGet('href') or ''})"


def _inline_children(state: StateCore, children: list[Token], links: _Links) -> list[Token]:
    """Turn images into links, flatten emphasis nested deeper than the nesting limit, and show
    links past the limit on links as text."""
    out: list[Token] = []
    kept: list[bool] = []
    depth = link_depth = 0
    unlinked: str | None = None  # what to show after the text of a link refused by the limit
    for child in children:
        if child.type == "image":
            replacement = _image_as_link(state, child, link_depth > 0)
            if len(replacement) == 3 and not links.admit(replacement[0]):
                replacement = [replacement[1], Token("text", "", 0, content=_unlinked(replacement[0]))]
            out.extend(replacement)
            continue
        if child.type == "link_open" and depth < MAX_NESTING and not links.admit(child):
            unlinked = _unlinked(child)
            continue
        if child.type == "link_close" and unlinked is not None:
            out.append(Token("text", "", 0, content=unlinked))
            unlinked = None
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
    """Demote headings, turn images into links, bound inline nesting and the number of links."""
    links = _Links()
    for token in state.tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(int(token.tag[1:]) + HEADING_SHIFT, 6)}"
        elif token.type == "inline" and token.children:
            token.children = _inline_children(state, token.children, links)


def member_path(name: str) -> str:
    """Where a mention of `name` leads: the member's public profile."""
    return MEMBER_PATH + quote(name, safe="")


def mention_name(written: str) -> str:
    """The name a mention refers to: what follows "@", without the signs that end a sentence."""
    return written.rstrip(MENTION_TRAILING_SIGNS)


def _mention_tokens(content: str, state: StateCore, linked: set[str]) -> list[Token] | None:
    """`content` split into text and mention links, or None when it names no member to link."""
    members: Mapping[str, str] = state.env.get("mentions") or {}
    limit: int = state.env.get("max_mentions", 0)
    out: list[Token] = []
    start = 0
    for match in MENTION.finditer(content):
        name = mention_name(match[1])
        username = members.get(name)
        if username is None or (username not in linked and len(linked) >= limit):
            continue
        linked.add(username)
        end = match.start() + 1 + len(name)
        out.append(Token("text", "", 0, content=content[start : match.start()]))
        out.append(Token("link_open", "a", 1, attrs={"href": member_path(username), "class": "mention"}))
        out.append(Token("text", "", 0, content=content[match.start() : end]))
        out.append(Token("link_close", "a", -1))
        start = end
    if not out:
        return None
    out.append(Token("text", "", 0, content=content[start:]))
    return out


def _mentions(state: StateCore) -> None:
    """Link `@name` to the member's profile for the members given in env["mentions"], outside links and code."""
    if not state.env.get("mentions"):
        return
    linked: set[str] = set()
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        in_link = 0
        for child in token.children:
            if child.type in {"link_open", "link_close"}:
                in_link += child.nesting
            if child.type == "text" and not in_link and "@" in child.content:
                split = _mention_tokens(child.content, state, linked)
                if split is not None:
                    children.extend(split)
                    continue
            children.append(child)
        token.children = children


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
        # Past our own cut, so that _nesting_cut always comes first (a list opens two levels at once).
        "maxNesting": MAX_NESTING + 2,
    },
).enable(["table", "strikethrough", "linkify"])
_md.validateLink = _link_allowed  # type: ignore[method-assign]
_md.normalizeLink = _normalize_link  # type: ignore[method-assign]
_md.normalizeLinkText = _normalize_link_text  # type: ignore[method-assign]
_md.block.ruler.before(_md.block.ruler.get_all_rules()[0], "nesting_cut", _nesting_cut)
_md.core.ruler.push("forum_rules", _forum_rules)
_md.core.ruler.push("mentions", _mentions)

_cleaner = Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=False,
    strip_comments=True,
    filters=[_RelFilter, BlockDirection],
)


_render_slots: RunVar[anyio.CapacityLimiter] = RunVar("forum_render_slots")


async def render_async(source: str, mentions: Mapping[str, str] | None = None, max_mentions: int = 0) -> str:
    """render() in a thread, at most RENDER_THREADS at once, so that the event loop serves others meanwhile."""
    try:
        slots = _render_slots.get()
    except LookupError:
        slots = anyio.CapacityLimiter(RENDER_THREADS)
        _render_slots.set(slots)
    return await anyio.to_thread.run_sync(render, source, mentions, max_mentions, limiter=slots)


def render(source: str, mentions: Mapping[str, str] | None = None, max_mentions: int = 0) -> str:
    """Render Markdown to HTML that is safe to store and serve verbatim.

    `mentions` ({name as written: username}, see notifications.mentions) are the members
    whose `@name` becomes a link to their profile, the first `max_mentions` of them.
    """
    if not source.strip():
        return ""
    env = {"mentions": mentions or {}, "max_mentions": max_mentions}
    try:
        rendered = _md.render(source, env)
    # Posts must always be storable: should the parser ever fail on hostile input,
    # fall back to showing the source as escaped text rather than refusing the post.
    except Exception:
        rendered = f"<p>{html.escape(source)}</p>"
    cleaned: str = _cleaner.clean(rendered)
    return cleaned.translate(_BIDI_CONTROLS).strip()
