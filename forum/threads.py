"""The read path: the topic list, and a page of a thread as a tree, in a fixed number of queries."""

from __future__ import annotations

import dataclasses
import math

from tortoise.expressions import Q
from tortoise.functions import Count

from forum.config import Settings
from forum.errors import NotFound
from forum.models import Category, Post, PostStatus, Topic, TopicText, User

PATH_WIDTH = 10
# Shown as a placeholder when replies below them are still visible.
PLACEHOLDER_STATUSES = (PostStatus.DELETED, PostStatus.HIDDEN)


@dataclasses.dataclass
class Node:
    post: Post
    # The viewer wrote it (so may see it while pending, edit it, delete it).
    own: bool = False
    children: list[Node] = dataclasses.field(default_factory=list)
    # True where the tree is cut at the depth limit: the page links to the branch instead.
    continues: bool = False

    @property
    def placeholder(self) -> bool:
        return self.post.status in PLACEHOLDER_STATUSES


@dataclasses.dataclass
class ThreadPage:
    topic: Topic
    text: TopicText
    nodes: list[Node]
    page: int
    pages: int
    branch: Post | None


def path_segment(post_id: int) -> str:
    return str(post_id).zfill(PATH_WIDTH)


def pick_text(texts: list[TopicText], language: str) -> TopicText:
    """The topic text in `language`, else English, else whichever exists."""
    by_language = {text.language: text for text in texts}
    return by_language.get(language) or by_language.get("en") or texts[0]


def visible_to(viewer: User | None) -> Q:
    """Posts a viewer may read in full: approved ones, plus their own pending and rejected ones."""
    visible = Q(status=PostStatus.APPROVED)
    if viewer is not None:
        visible |= Q(author_id=viewer.id, status__in=[PostStatus.PENDING, PostStatus.REJECTED])
    return visible


async def topic_index() -> list[tuple[Category, list[Topic]]]:
    """Every category with its topics (texts prefetched), most recently active first."""
    categories = await Category.all()
    topics = await Topic.all().order_by("-last_activity_at", "-id").prefetch_related("texts")
    by_category: dict[int, list[Topic]] = {category.id: [] for category in categories}
    for topic in topics:
        by_category[topic.category_id].append(topic)  # type: ignore[attr-defined]
    return [(category, by_category[category.id]) for category in categories]


async def get_topic(topic_id: int) -> Topic:
    topic = await Topic.get_or_none(id=topic_id).select_related("category").prefetch_related("texts")
    if topic is None:
        raise NotFound()
    return topic


async def thread_page(
    topic: Topic, language: str, viewer: User | None, settings: Settings, page: int = 1, branch_id: int | None = None
) -> ThreadPage:
    """One page of a thread: `page` counts top-level replies, or `branch_id` roots it at a deep post."""
    per_page = settings.posts.replies_per_page
    visible = Post.filter(topic_id=topic.id).filter(visible_to(viewer))
    branch = None
    if branch_id is not None:
        branch = await visible.filter(id=branch_id).first()
        if branch is None:
            raise NotFound()
        subtree = Q(path__startswith=branch.path)
        pages = 1
        page = 1
    else:
        counted = await visible.annotate(roots=Count("root_id", distinct=True)).values_list("roots", flat=True)
        pages = max(1, math.ceil((counted[0] if counted else 0) / per_page))
        if not 1 <= page <= pages:
            raise NotFound()
        roots = await (
            visible.distinct().order_by("root_id").offset((page - 1) * per_page).limit(per_page)
            .values_list("root_id", flat=True)
        )
        subtree = Q(root_id__in=list(roots))
    posts = await (
        Post.filter(topic_id=topic.id)
        .filter(subtree)
        .filter(visible_to(viewer) | Q(status__in=PLACEHOLDER_STATUSES))
        .select_related("author")
        .order_by("path")
    )
    nodes = build_tree(posts, viewer, settings.posts.max_depth, branch)
    return ThreadPage(topic, pick_text(list(topic.texts), language), nodes, page, pages, branch)


def build_tree(posts: list[Post], viewer: User | None, max_depth: int, branch: Post | None) -> list[Node]:
    """Nest posts given in path order; drop placeholders nothing visible hangs under; cut at max_depth levels."""
    nodes: dict[int, Node] = {}
    top: list[Node] = []
    base_depth = branch.depth if branch else 0
    for post in posts:
        node = Node(post, own=viewer is not None and post.author_id == viewer.id)  # type: ignore[attr-defined]
        nodes[post.id] = node
        parent = nodes.get(post.parent_id) if post.parent_id else None  # type: ignore[attr-defined]
        if post.depth == base_depth or parent is None:
            if post.depth == base_depth:
                top.append(node)
            continue
        if post.depth - base_depth >= max_depth:
            parent.continues = True
        else:
            parent.children.append(node)
    return _prune(top)


def _prune(nodes: list[Node]) -> list[Node]:
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if not node.placeholder or node.children or node.continues:
            kept.append(node)
    return kept


async def locate(post: Post, viewer: User | None, settings: Settings) -> tuple[int, int | None]:
    """Where a post is shown: (page, None), or (1, branch id) when it lies below the depth limit."""
    step = settings.posts.max_depth - 1
    anchor_depth = ((post.depth - 1) // step) * step if post.depth > 0 else 0
    if anchor_depth > 0:
        return 1, int(post.path.split("/")[anchor_depth])
    before = await (
        Post.filter(topic_id=post.topic_id, root_id__lt=post.root_id)  # type: ignore[attr-defined]
        .filter(visible_to(viewer))
        .annotate(roots=Count("root_id", distinct=True))
        .values_list("roots", flat=True)
    )
    return (before[0] if before else 0) // settings.posts.replies_per_page + 1, None
