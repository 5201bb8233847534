from __future__ import annotations

import re

import httpx

from forum import seed
from forum.config import Settings
from forum.models import Topic
from forum.seed_data import TOPICS
from tests.factories import make_reply, make_topic, make_user


def titles(html: str) -> list[str]:
    return re.findall(r'class="topic-title"[^>]*>([^<]+)<', html)


async def test_home_lists_the_seeded_topics_in_each_language(client: httpx.AsyncClient) -> None:
    await seed.seed_topics()
    for language in ("en", "ar", "fa"):
        response = await client.get(f"/?lang={language}")
        assert response.status_code == 200
        shown = titles(response.text)
        assert len(shown) == len(TOPICS) == 7
        assert sorted(shown) == sorted(topic["texts"][language]["title"] for topic in TOPICS)
        direction = "ltr" if language == "en" else "rtl"
        assert f'<html lang="{language}" dir="{direction}">' in response.text


async def test_language_choice_is_remembered_in_a_cookie(client: httpx.AsyncClient) -> None:
    await seed.seed_topics()
    first = await client.get("/?lang=fa")
    assert "lang=fa" in first.headers["set-cookie"]
    again = await client.get("/")
    assert '<html lang="fa" dir="rtl">' in again.text


async def test_accept_language_is_used_without_a_choice(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"accept-language": "de;q=0.9, ar-SY;q=0.8, en;q=0.5"})
    assert '<html lang="ar" dir="rtl">' in response.text


async def test_seeding_twice_changes_nothing(database: Settings) -> None:
    assert await seed.seed_topics() == 7
    assert await seed.seed_topics() == 0
    assert await Topic.all().count() == 7
    assert await seed.seed_demo(database) >= 8
    assert await seed.seed_demo(database) == 0


async def test_topic_page_shows_the_tree_with_each_post_in_its_direction(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    topic = await make_topic(texts={"en": "Federalism?", "fa": "فدرالیسم؟"})
    author = await make_user("writer", trusted=True)
    first = await make_reply(topic, author, settings, "An English answer.")
    second = await make_reply(topic, author, settings, "پاسخی به فارسی با حرف‌های گ و پ.", parent=first)
    third = await make_reply(topic, author, settings, "رد باللغة العربية على الرد.", parent=second)

    html = (await client.get(f"/topics/{topic.id}?lang=fa")).text
    assert '<h1 id="topic-title" lang="fa" dir="rtl">فدرالیسم؟</h1>' in html
    for post, language, direction in ((first, "en", "ltr"), (second, "fa", "rtl"), (third, "ar", "rtl")):
        assert f'id="post-{post.id}"' in html
        body = re.search(rf'id="post-{post.id}".*?class="post-body" lang="(..)" dir="(...)"', html, re.S)
        assert body and body.groups() == (language, direction)
    # Nesting: the third post's list item sits inside the second's, inside the first's.
    assert (
        html.index(f'id="post-{first.id}"') < html.index(f'id="post-{second.id}"') < html.index(f'id="post-{third.id}"')
    )
    assert html.count('<ol class="replies">') == 3


async def test_topic_text_falls_back_to_english(client: httpx.AsyncClient) -> None:
    topic = await make_topic("Only in English")
    html = (await client.get(f"/topics/{topic.id}?lang=ar")).text
    assert 'lang="en" dir="ltr">Only in English</h1>' in html


async def test_deep_branches_continue_on_their_own_page(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    chain = []
    parent = None
    for depth in range(settings.posts.max_depth + 3):
        parent = await make_reply(topic, author, settings, f"Level {depth}", parent=parent)
        chain.append(parent)
    page = (await client.get(f"/topics/{topic.id}")).text
    shown = [post for post in chain if f'id="post-{post.id}"' in page]
    assert shown == chain[: settings.posts.max_depth]
    cut = chain[settings.posts.max_depth - 1]
    assert f"branch={cut.id}" in page

    deepest = chain[-1]
    permalink = await client.get(f"/posts/{deepest.id}")
    assert permalink.status_code == 303
    branch_page = await client.get(permalink.headers["location"])
    assert f'id="post-{deepest.id}"' in branch_page.text


async def test_pages_count_top_level_replies(client: httpx.AsyncClient, settings: Settings) -> None:
    topic = await make_topic()
    author = await make_user(trusted=True)
    roots = [await make_reply(topic, author, settings, f"Root {n}") for n in range(settings.posts.replies_per_page + 2)]
    child = await make_reply(topic, author, settings, "Under the last root", parent=roots[-1])

    first = (await client.get(f"/topics/{topic.id}")).text
    assert f'id="post-{roots[0].id}"' in first and f'id="post-{roots[-1].id}"' not in first
    second = (await client.get(f"/topics/{topic.id}?page=2")).text
    assert f'id="post-{roots[-1].id}"' in second and f'id="post-{child.id}"' in second
    assert (await client.get(f"/topics/{topic.id}?page=3")).status_code == 404
    assert (await client.get(f"/topics/{topic.id}?page=abc")).status_code == 404

    location = (await client.get(f"/posts/{child.id}")).headers["location"]
    assert location == f"/topics/{topic.id}?page=2#post-{child.id}"


async def test_unknown_topics_and_posts_are_404_pages(client: httpx.AsyncClient) -> None:
    for url in ("/topics/999", "/posts/999", "/nowhere"):
        response = await client.get(url + "?lang=fa")
        assert response.status_code == 404
        assert 'dir="rtl"' in response.text and "<h1>" in response.text


async def test_slug_urls_serve_the_thread(client: httpx.AsyncClient) -> None:
    topic = await make_topic("Slugged")
    response = await client.get(f"/topics/{topic.id}/slugged")
    assert response.status_code == 200 and "Slugged" in response.text


async def test_healthz_answers_when_the_database_does(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "ratelimit": "memory"}


async def test_a_huge_branch_is_split_across_bounded_pages(client: httpx.AsyncClient, settings: Settings) -> None:
    small = settings.replace(posts={"max_posts_per_page": 5, "replies_per_page": 3})
    client.app.state.settings = small  # type: ignore[attr-defined]
    topic = await make_topic()
    author = await make_user(trusted=True)
    root = await make_reply(topic, author, small, "Root of a long discussion")
    chain = [root]
    for n in range(11):
        chain.append(await make_reply(topic, author, small, f"Answer {n}", parent=chain[-1] if n % 2 else root))
    other = await make_reply(topic, author, small, "Another top-level reply")

    first = (await client.get(f"/topics/{topic.id}")).text
    assert first.count('class="post"') == 5 and f'id="post-{other.id}"' not in first
    more = re.search(r'<p class="continue"><a href="([^"]*after=\d+[^"]*)"', first)
    assert more
    seen = {post.id for post in chain if f'id="post-{post.id}"' in first}
    url = more.group(1).replace("&amp;", "&")
    while url:
        page = (await client.get(url)).text
        assert page.count('class="post"') <= 5
        seen |= {post.id for post in chain if f'id="post-{post.id}"' in page}
        following = re.search(r'<p class="continue"><a href="([^"]*after=\d+[^"]*)"', page)
        url = following.group(1).replace("&amp;", "&") if following else ""
    assert seen == {post.id for post in chain}
    assert f'id="post-{other.id}"' in (await client.get(f"/topics/{topic.id}?page=2")).text

    last = chain[-1]
    location = (await client.get(f"/posts/{last.id}")).headers["location"]
    assert "after=" in location and f'id="post-{last.id}"' in (await client.get(location)).text
