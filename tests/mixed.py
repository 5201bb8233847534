"""A realistic mixed-direction discussion: posts that quote, list and tabulate in the other scripts."""

from __future__ import annotations

import httpx

from tests.factories import csrf_from

# The sentence a Persian reader must see right-aligned with its full stop at the left end.
PERSIAN_SENTENCE = "فدرالیسم بدون دموکراسی در سطح محلی معنایی ندارد."
ENGLISH_SENTENCE = "Federalism without local democracy means little."

ENGLISH_POST = f"""# Two readings of the call

I *agree* with the first speaker, who put it this way:

> {PERSIAN_SENTENCE}
> تجربهٔ کردستان عراق این را نشان داد.

{PERSIAN_SENTENCE}

What the proposals share:

- Councils elected in every canton.
- شوراهای محلی با اختیار بودجه.
- A constitution that names every language.

| Region | زبان‌ها |
| --- | --- |
| Rojava | کردی، عربی، سریانی |
| Khuzestan | عربی و فارسی |

## Sources

See https://example.org/federalism/a-very-long-article-address-with-many-words for the text.
"""

PERSIAN_POST = f"""# پاسخ به پرسش

{ENGLISH_SENTENCE}

> {ENGLISH_SENTENCE} That was the lesson of 2011.

به نظر من باید از پایین شروع کرد. این مقاله را ببینید: https://example.org/articles/federalism-and-local-councils-in-the-region

1. شوراهای محلی
2. Elected councils, as in the English proposal.
3. قانون اساسی چندزبانه

```
federal = councils + budget
```
"""

ARABIC_POST = """## الفيدرالية والديمقراطية

لا أتفق تماماً مع هذا الطرح، *فالفيدرالية* وحدها لا تكفي.

> Power has to be shared before it can be divided.

- **المجالس المحلية** أولاً.
- Then a federal constitution.
"""

MIXED_REPLIES = [("en", ENGLISH_POST), ("fa", PERSIAN_POST), ("ar", ARABIC_POST)]


def post_mixed_replies(base_url: str, username: str, password: str, topic_id: int) -> None:
    """Post the three replies to a running forum, as a member who is not queued."""
    with httpx.Client(base_url=base_url) as client:
        token = csrf_from(client.get("/login").text)
        logged_in = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert logged_in.status_code == 303
        token = csrf_from(client.get(f"/topics/{topic_id}").text)
        for language, body in MIXED_REPLIES:
            sent = client.post(
                f"/topics/{topic_id}/replies", data={"csrf_token": token, "body": body, "lang": language}
            )
            assert sent.status_code == 303, sent.text
