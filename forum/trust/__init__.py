"""Trust levels: who is pre-moderated, whose flags count and how much, who is promoted, who opens topics.

`is_premoderated` is the one answer to "do this member's posts wait for a moderator?".
"""

from forum.trust.levels import is_premoderated

__all__ = ["is_premoderated"]
