"""The read path: the topic list, and a page of a thread as a tree, in a fixed number of queries."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q, RawSQL
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from forum.config import Settings
from forum.errors import NotFound
from forum.models import Category, Post, PostStatus, Topic, TopicText, Translation, User, pick_text
from forum.translations import reading

PATH_WIDTH = 10
# Shown as a placeholder when replies below them are still visible (a member may
# answer their own post while it waits, and that answer may be approved even if
# the first one is rejected).
PLACEHOLDER_STATUSES = (PostStatus.DELETED, PostStatus.HIDDEN, PostStatus.REJECTED)


@dataclasses.dataclass
class Node:
    post: Post
    # The viewer wrote it (so may see it while pending, edit it, delete it).
    own: bool = False
    children: list[Node] = dataclasses.field(default_factory=list)
    # True where the tree is cut at the depth limit: the page links to the branch instead.
    continues: bool = False
    # The viewer deleted it and may still undo that: kept on the page, with "Restore".
    restorable: bool = False
    # Its current translations by language, the one shown first (None: the original), and whether
    # the reader's language filter leaves it out (a one-line placeholder that keeps the tree's shape).
    translations: dict[str, Translation] = dataclasses.field(default_factory=dict)
    reading: str | None = None
    filtered: bool = False

    @property
    def placeholder(self) -> bool:
        return self.post.status in PLACEHOLDER_STATUSES and not (self.own and self.post.status == PostStatus.REJECTED)

    @property
    def shows_pending_edit(self) -> bool:
        """Its author sees their edit that waits for approval in place of the published text."""
        return self.own and self.post.pending_source is not None

    @property
    def html(self) -> str:
        return (self.post.pending_html or "") if self.shows_pending_edit else self.post.html

    @property
    def language(self) -> str:
        return (self.post.pending_language or self.post.language) if self.shows_pending_edit else self.post.language


@dataclasses.dataclass
class ThreadPage:
    topic: Topic
    text: TopicText
    nodes: list[Node]
    page: int
    pages: int
    branch: Post | None
    # (branch id, after id) of the view that continues a subtree this page had to cut.
    more: tuple[int, int] | None = None
    # Published posts of others on this page: what counts as read toward trust levels.
    read_count: int = 0


def path_segment(post_id: int) -> str:
    return str(post_id).zfill(PATH_WIDTH)


def visible_to(viewer: User | None, undo_since: datetime | None = None) -> Q:
    """Posts a viewer may find: approved ones, their own pending and rejected ones, and for
    moderators hidden ones (shown to them as a placeholder they can restore).

    With `undo_since`, also the viewer's own posts deleted since then (a placeholder they can restore).
    """
    visible = Q(status=PostStatus.APPROVED)
    beyond = beyond_published(viewer, undo_since)
    return visible if beyond is None else visible | beyond


def beyond_published(viewer: User | None, undo_since: datetime | None = None) -> Q | None:
    """What `visible_to` adds to the approved posts for this viewer (None for a reader without an account)."""
    if viewer is None:
        return None
    visible = Q(author_id=viewer.id, status__in=[PostStatus.PENDING, PostStatus.REJECTED])
    if undo_since is not None:
        visible |= Q(author_id=viewer.id, status=PostStatus.DELETED, deleted_at__gte=undo_since)
    if viewer.is_moderator:
        visible |= Q(status=PostStatus.HIDDEN)
    return visible


def undo_window_start(settings: Settings) -> datetime:
    """Posts deleted since then can still be restored by their authors."""
    return datetime.now(UTC) - timedelta(hours=settings.posts.undo_delete_hours)


@dataclasses.dataclass
class Section:
    """A category with a page of its topics, most recently active first."""

    category: Category
    topics: list[Topic]
    # More topics than shown: the index links to the category's own page.
    more: bool = False


async def _topics_with_texts(ids: list[int]) -> list[Topic]:
    """Topics by id, with their texts, in the order of `ids` (two queries)."""
    topics = {topic.id: topic for topic in await Topic.filter(id__in=ids).prefetch_related("texts")}
    return [topics[topic_id] for topic_id in ids if topic_id in topics]


def _latest_first(category_id: int) -> QuerySet[Topic]:
    # Read from the index on (category_id, last_activity_at): a page costs the same however many topics there are.
    return Topic.filter(category_id=category_id).order_by("-last_activity_at", "-id")


async def _ids(query: QuerySet[Topic]) -> list[int]:
    return [int(row[0]) for row in await query.values_list("id")]


async def topic_index(per_category: int) -> list[Section]:
    """Every category with its `per_category` most recently active topics (texts prefetched)."""
    sections = []
    ids: list[int] = []
    for category in await Category.all():
        shown = await _ids(_latest_first(category.id).limit(per_category + 1))
        sections.append(Section(category, [], more=len(shown) > per_category))
        ids += shown[:per_category]
    topics = await _topics_with_texts(ids)
    by_category: dict[int, list[Topic]] = {section.category.id: [] for section in sections}
    for topic in topics:
        by_category[topic.category_id].append(topic)
    for section in sections:
        section.topics = by_category[section.category.id]
    return sections


async def category_page(category_id: int, page: int, per_page: int) -> tuple[Section, int]:
    """One page of a category's topics, and the number of pages (404 for a category or page that does not exist)."""
    category = await Category.get_or_none(id=category_id)
    if category is None:
        raise NotFound()
    count = await Topic.filter(category_id=category_id).count()
    pages = max(1, -(-count // per_page))
    if not 1 <= page <= pages:
        raise NotFound()
    ids = await _ids(_latest_first(category_id).offset((page - 1) * per_page).limit(per_page))
    return Section(category, await _topics_with_texts(ids)), pages


async def get_topic(topic_id: int) -> Topic:
    """The topic with its category and texts, and the forum's change stamp as `stamp` (404 when missing)."""
    topic = await (
        Topic.filter(id=topic_id)
        .annotate(stamp=RawSQL("(SELECT stamp FROM page_stamp WHERE id = 1)"))
        .select_related("category")
        .prefetch_related("texts")
        .first()
    )
    if topic is None:
        raise NotFound()
    return topic


class PublishedShapes:
    """The published shape of recently read threads, by topic: (change stamp, [(root id, approved posts)]).

    Regrouping a 10,000-post thread took a third of its page; the stamp changes with every post's
    status, in the same transaction. One per app, so that two databases never share one.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.shapes: OrderedDict[int, tuple[int, list[tuple[int, int]]]] = OrderedDict()

    def get(self, topic_id: int, stamp: int) -> list[tuple[int, int]] | None:
        kept = self.shapes.get(topic_id)
        if kept is None or kept[0] != stamp:
            return None
        self.shapes.move_to_end(topic_id)
        return kept[1]

    def put(self, topic_id: int, stamp: int, sizes: list[tuple[int, int]]) -> None:
        self.shapes[topic_id] = (stamp, sizes)
        self.shapes.move_to_end(topic_id)
        if len(self.shapes) > self.size:
            self.shapes.popitem(last=False)


async def _group_roots(topic_id: int, visible: Q) -> list[tuple[int, int, int]]:
    """(root id, posts, approved posts) under each top-level reply, counting the `visible` posts."""
    rows = await (
        Post.filter(topic_id=topic_id)
        .filter(visible)
        .annotate(size=Count("id"), published=Count("id", _filter=Q(status=PostStatus.APPROVED)))
        .group_by("root_id")
        .order_by("root_id")
        .values_list("root_id", "size", "published")
    )
    return [(int(root), int(size), int(published)) for root, size, published in rows]


async def root_sizes(
    topic_id: int,
    viewer: User | None,
    undo_since: datetime | None,
    shapes: PublishedShapes | None = None,
    stamp: int | None = None,
) -> list[tuple[int, int]]:
    """(root id, visible posts under it) for every top-level reply the viewer can see something of.

    With `shapes` and the forum's change `stamp`, the approved part is reused from the last request
    that saw the same stamp, and only what the viewer sees beyond it is counted: one query either way.
    """
    kept = shapes.get(topic_id, stamp) if shapes is not None and stamp is not None else None
    if kept is not None:
        beyond = beyond_published(viewer, undo_since)
        if beyond is None:
            return kept
        sizes = dict(kept)
        for root, size, _ in await _group_roots(topic_id, beyond):
            sizes[root] = sizes.get(root, 0) + size
        return sorted(sizes.items())
    rows = await _group_roots(topic_id, visible_to(viewer, undo_since))
    if shapes is not None and stamp is not None:
        shapes.put(topic_id, stamp, [(root, published) for root, _, published in rows if published])
    return [(root, size) for root, size, _ in rows]


def paginate_roots(sizes: list[tuple[int, int]], per_page: int, max_posts: int) -> list[list[int]]:
    """Split roots into pages of at most `per_page` roots and about `max_posts` posts.

    A root larger than `max_posts` gets a page of its own; that page shows its
    first `max_posts` posts and links to the rest.
    """
    pages: list[list[int]] = []
    current: list[int] = []
    total = 0
    for root, size in sizes:
        if current and (len(current) == per_page or total + size > max_posts):
            pages.append(current)
            current, total = [], 0
        current.append(root)
        total += size
    if current:
        pages.append(current)
    return pages or [[]]


async def thread_page(
    topic: Topic,
    language: str,
    viewer: User | None,
    settings: Settings,
    page: int = 1,
    branch_id: int | None = None,
    after_id: int | None = None,
    read_language: str | None = None,
    only: frozenset[str] | None = None,
    shown_id: int | None = None,
    shapes: PublishedShapes | None = None,
) -> ThreadPage:
    """One page of a thread, in a fixed number of queries.

    `page` counts pages of top-level replies; `branch_id` shows the subtree of
    one post instead (a deep branch), and `after_id` continues such a subtree
    after the last post an earlier page could hold. `read_language` is the language whose
    translations are shown first, `only` the languages of the reader's filter
    (see translations.reading.apply).
    """
    limit = settings.posts.max_posts_per_page
    shown = visible_to(viewer) | Q(status__in=PLACEHOLDER_STATUSES)
    undo_since = undo_window_start(settings)
    branch = None
    if branch_id is not None:
        candidates = await Post.filter(topic_id=topic.id, id__in=[branch_id, after_id or branch_id]).filter(shown)
        by_id = {post.id: post for post in candidates}
        branch, after = by_id.get(branch_id), by_id.get(after_id) if after_id else None
        if branch is None or (after_id and (after is None or not after.path.startswith(branch.path))):
            raise NotFound()
        subtree = Q(path__startswith=branch.path)
        if after is not None:
            subtree &= Q(path__gt=after.path)
        pages = 1
        page = 1
    else:
        sizes = await root_sizes(topic.id, viewer, undo_since, shapes, getattr(topic, "stamp", None))
        layout = paginate_roots(sizes, settings.posts.replies_per_page, limit)
        pages = len(layout)
        if not 1 <= page <= pages:
            raise NotFound()
        subtree = Q(root_id__in=layout[page - 1])
    posts = list(
        await Post.filter(topic_id=topic.id)
        .filter(subtree)
        .filter(shown)
        .select_related("author")
        .order_by("path")
        .limit(limit + 1)
    )
    more = None
    if len(posts) > limit:
        posts = posts[:limit]
        more = (branch.id if branch else posts[-1].root_id or posts[-1].id, posts[-1].id)
    nodes = build_tree(
        posts, viewer, settings.posts.max_depth, branch, continuation=after_id is not None, undo_since=undo_since
    )
    translations = await reading.approved_for(post.id for post in posts)
    reading.apply(nodes, translations, read_language, only, shown_id)
    read = sum(
        1 for post in posts if post.status == PostStatus.APPROVED and (viewer is None or post.author_id != viewer.id)
    )
    return ThreadPage(topic, pick_text(list(topic.texts), language), nodes, page, pages, branch, more, read)


def build_tree(
    posts: list[Post],
    viewer: User | None,
    max_depth: int,
    branch: Post | None,
    continuation: bool = False,
    undo_since: datetime | None = None,
) -> list[Node]:
    """Nest posts given in path order; drop placeholders nothing visible hangs under; cut at max_depth levels.

    In a `continuation`, posts whose parent was on the previous page start the tree.
    The viewer's own posts deleted after `undo_since` stay, for them to restore.
    """
    nodes: dict[int, Node] = {}
    top: list[Node] = []
    base_depth = branch.depth if branch else 0
    for post in posts:
        own = viewer is not None and post.author_id == viewer.id
        restorable = (
            own
            and undo_since is not None
            and post.status == PostStatus.DELETED
            and post.deleted_from is not None
            and post.deleted_at is not None
            and post.deleted_at >= undo_since
        )
        node = Node(post, own=own, restorable=restorable)
        nodes[post.id] = node
        parent = nodes.get(post.parent_id) if post.parent_id else None
        if parent is None:
            if post.depth == base_depth or continuation:
                top.append(node)
        elif post.depth - base_depth >= max_depth:
            parent.continues = True
        else:
            parent.children.append(node)
    return _prune(top, keep_hidden=viewer is not None and viewer.is_moderator)


def _prune(nodes: list[Node], keep_hidden: bool) -> list[Node]:
    """Drop placeholders with nothing visible below them (moderators keep hidden posts, to restore them)."""
    kept = []
    for node in nodes:
        node.children = _prune(node.children, keep_hidden)
        if (
            not node.placeholder
            or node.children
            or node.continues
            or node.restorable
            or (keep_hidden and node.post.status == PostStatus.HIDDEN)
        ):
            kept.append(node)
    return kept


async def locate(post: Post, viewer: User | None, settings: Settings) -> str:
    """The query string of the thread view that shows `post`: its page, or the deep branch it lies in."""
    step = settings.posts.max_depth - 1
    anchor_depth = ((post.depth - 1) // step) * step if post.depth > 0 else 0
    if anchor_depth > 0:
        return f"branch={int(post.path.split('/')[anchor_depth])}"
    limit = settings.posts.max_posts_per_page
    sizes = await root_sizes(post.topic_id, viewer, undo_window_start(settings))
    layout = paginate_roots(sizes, settings.posts.replies_per_page, limit)
    page = next(number for number, roots in enumerate(layout, 1) if post.root_id in roots)
    if len(layout[page - 1]) == 1 and dict(sizes)[post.root_id or post.id] > limit:
        # A root too large for one page: continue right before the post when the page cannot hold it.
        earlier = Post.filter(root_id=post.root_id, path__lt=post.path).filter(
            visible_to(viewer) | Q(status__in=PLACEHOLDER_STATUSES)
        )
        if await earlier.count() >= limit and (previous := await earlier.order_by("-path").first()):
            return f"branch={post.root_id}&after={previous.id}"
    return f"page={page}"
