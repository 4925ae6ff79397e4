"""One Chromium, with the host page's bundle built once, for all the review pane's browser tests."""

from collections.abc import Iterator

import pytest

from tests.review.browser import Browser, launched


@pytest.fixture(scope="package")  # closed before the other packages' tests run
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with launched(tmp_path_factory.mktemp("review-host")) as running:
        yield running
