"""A post quoted in Markdown, with a link back to it: what the "Quote" action puts in the reply form."""

from __future__ import annotations

from forum.models import Post

# Characters of the quoted post kept: a quote is a reminder, not a copy.
MAX_QUOTED = 2000


def quote(post: Post) -> str:
    """The post's Markdown source as a block quote, ending with its author's name linked to the post."""
    source = post.source if len(post.source) <= MAX_QUOTED else post.source[:MAX_QUOTED].rstrip() + " …"
    lines = [f"> {line}".rstrip() for line in source.splitlines()]
    lines += [">", f"> — [{post.author.username}](/posts/{post.id})", "", ""]
    return "\n".join(lines)
