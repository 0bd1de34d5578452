"""Root fixtures: uploaded files go to a temporary MEDIA_ROOT for every test."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in French leaves French active in the thread; start every test in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()
