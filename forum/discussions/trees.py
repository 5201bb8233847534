"""A thread page's tree of posts as HTML, kept while it is the same for every reader of its kind.

Rendering the posts is most of a thread page's cost. For a reader who wrote none
of the posts on the page and does not moderate, the tree depends only on the
posts, the interface language and time zone, and whether the reader has an
account (the "Flag" links): it is kept under that key and the forum's change
stamp, which moves in the same transaction as any change to the posts, so a kept
tree is never out of date but for its "3 minutes ago" texts (bounded by
`max_age`). Members' own posts, and moderators' tools, are rendered each time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from markupsafe import Markup
from starlette.requests import Request

from forum import i18n
from forum.csrf import LazyToken
from forum.discussions.threads import Node, ThreadPage
from forum.templating import templates

# Kept trees per app; a tree of 300 posts is some 100 KB.
MAX_TREES = 256


class KeptTrees:
    def __init__(self, max_age: float, size: int = MAX_TREES) -> None:
        self.max_age = max_age
        self.size = size
        self.trees: OrderedDict[tuple[object, ...], tuple[float, Markup]] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> Markup | None:
        kept = self.trees.get(key)
        if kept is None or time.monotonic() - kept[0] > self.max_age:
            return None
        self.trees.move_to_end(key)
        return kept[1]

    def put(self, key: tuple[object, ...], tree: Markup) -> None:
        self.trees[key] = (time.monotonic(), tree)
        self.trees.move_to_end(key)
        if len(self.trees) > self.size:
            self.trees.popitem(last=False)


def _personal(nodes: list[Node], user_id: int | None) -> bool:
    """Whether any post on the page is the reader's own (their edit links, their pending posts),
    or any translation on it theirs (no "Flag" under it)."""
    return any(
        node.own
        or node.restorable
        or (user_id is not None and any(t.translator_id == user_id for t in node.translations.values()))
        or _personal(node.children, user_id)
        for node in nodes
    )


def _newest(nodes: list[Node]) -> int:
    return max((max(node.post.id, _newest(node.children)) for node in nodes), default=0)


def _render(request: Request, thread: ThreadPage, progress: Any) -> Markup:
    context: dict[str, Any] = {
        "request": request,
        "user": request.state.user,
        "csrf_token": LazyToken(request),
        "lang": i18n.current_language(),
    }
    if progress is not None:
        context["progress"] = progress
    module: Any = templates.env.get_template("_thread.html").make_module(context)
    return Markup(module.post_tree(thread.nodes, thread.topic, thread))


def tree_html(
    request: Request, thread: ThreadPage, kept: KeptTrees, progress: Any = None, variant: object = None
) -> Markup:
    """The page's tree of posts: kept for readers who see it as everyone of their kind does.

    `progress` is a member's reading progress (posts past it are marked new); `variant`, what else
    the caller chose the page's texts by (the language it is read in).
    """
    if not thread.nodes:
        return Markup("")
    user = request.state.user
    stamp = getattr(thread.topic, "stamp", None)
    if stamp is None or (user is not None and user.is_moderator) or _personal(thread.nodes, user and user.id):
        return _render(request, thread, progress)
    # Marks of new posts make the tree the member's own only while some post on the page is new to them.
    read_up_to = getattr(progress, "read_up_to", None)
    new_after = read_up_to if read_up_to is not None and _newest(thread.nodes) > read_up_to else None
    first = thread.nodes[0].post
    key = (
        thread.topic.id,
        stamp,
        thread.page,
        thread.branch.id if thread.branch else None,
        first.id,
        len(thread.nodes),
        thread.more,
        user is not None,
        i18n.current_language(),
        i18n.current_timezone(),
        # The query carries the reading language, the language filter and the placeholder shown.
        request.url.query,
        variant,
        new_after,
    )
    tree = kept.get(key)
    if tree is None:
        tree = _render(request, thread, progress)
        kept.put(key, tree)
    return tree
