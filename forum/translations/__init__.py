"""Translations of posts by members: offered, moderated, shown beside the original, asked for."""
