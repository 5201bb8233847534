"""The files the package carries, found at run time: templates, static files, catalogs, seed texts.

They are looked up through importlib.resources, so a wheel installed anywhere
finds them as a checkout does (in the checkout, forum/templates and
forum/static are links to the top-level folders).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _package_dir(name: str) -> Path:
    resource = files("forum") / name
    # A regular installed package (not a zip): the loaders below need real folders.
    assert isinstance(resource, Path), resource
    return resource


TEMPLATES_DIR = _package_dir("templates")
STATIC_DIR = _package_dir("static")
LOCALE_DIR = _package_dir("locale")
