"""Kept trees of posts: each reader still gets the links that are theirs, and every change at once."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from forum.config import Settings
from forum.models import Role
from forum.moderation import actions
from tests.factories import login, make_reply, make_topic, make_user
from tests.test_pagecache import post_ids, second_browser


def links(html: str, post_id: int) -> set[str]:
    article = BeautifulSoup(html, "html.parser").find("article", id=f"post-{post_id}")
    assert article is not None, post_id
    return {a.get_text() for a in article.select(".post-actions a")}


async def test_each_reader_gets_their_own_links_from_a_kept_tree(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic("Kept tree")
    moderator = await make_user("tree-mod", role=Role.MODERATOR)
    author = await make_user("tree-author", trusted=True)
    reader = await make_user("tree-reader", trusted=True)
    post = await make_reply(topic, author, settings, "Written by the author.")
    url = f"/topics/{topic.id}"
    async with second_browser(client) as other, second_browser(client) as third:
        await login(client, reader.username)
        await login(other, author.username)
        await login(third, moderator.username)
        for _ in range(2):  # the second reading comes from the kept tree
            member_links = {"Reply", "Quote", "Link", "Translate", "Flag"}
            assert links((await client.get(url)).text, post.id) == member_links
            assert links((await other.get(url)).text, post.id) == {
                "Reply",
                "Quote",
                "Edit",
                "Delete",
                "Link",
                "Translate",
            }
            assert links((await third.get(url)).text, post.id) == member_links | {"Hide"}
        # Without an account (a session cookie that holds none): no Flag link.
        anonymous = await client.get(url, headers={"cookie": "forum_session=none"})
        assert links(anonymous.text, post.id) == {"Reply", "Link"}
        late = await make_reply(topic, moderator, settings, "Approved at once.")
        assert post_ids((await client.get(url)).text) == {f"post-{post.id}", f"post-{late.id}"}
        await actions.hide(late.id, moderator, "spam")
        assert post_ids((await client.get(url)).text) == {f"post-{post.id}"}


async def test_new_posts_are_marked_for_each_member_from_a_kept_tree(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic("Marks")
    author = await make_user("marks-author", trusted=True)
    await make_reply(topic, author, settings, "Read by both.")
    early, late = await make_user("marks-early", trusted=True), await make_user("marks-late", trusted=True)
    url = f"/topics/{topic.id}"

    def new_ones(html: str) -> set[str]:
        return {str(a["id"]) for a in BeautifulSoup(html, "html.parser").select("article.post-new")}

    async with second_browser(client) as other:
        await login(client, early.username)
        await login(other, late.username)
        assert new_ones((await client.get(url)).text) == set()
        latest = await make_reply(topic, author, settings, "New to the early reader.")
        assert new_ones((await other.get(url)).text) == set()  # first visit: nothing is new yet
        assert new_ones((await client.get(url)).text) == {f"post-{latest.id}"}
        assert new_ones((await other.get(url)).text) == set()
        assert new_ones((await client.get(url)).text) == set()  # read now
