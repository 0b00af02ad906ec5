"""`next=` only ever leads to a local path."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.web.redirects import safe_next


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example/x",
        "/ok\r\nSet-Cookie: x",
        "",
        None,
    ],
)
def test_foreign_or_malformed_targets_are_refused(target: str | None) -> None:
    """Anything that could leave the site (or split headers) is dropped."""
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/today", "/interviews/5?section=a", "/admin/users#x"])
def test_local_paths_are_kept(target: str) -> None:
    """Ordinary local paths pass through unchanged."""
    assert safe_next(target) == target


@given(st.text(max_size=80))
def test_result_is_always_a_single_slash_local_path(target: str) -> None:
    """Whatever comes in, what comes out starts with exactly one slash and names no host."""
    result = safe_next(target)
    if result is not None:
        assert result.startswith("/") and not result.startswith("//")
        assert "\\" not in result and ":" not in result.split("/", 2)[1] if len(result) > 1 else True


_HOSTILE = st.text(alphabet=st.sampled_from("/\\:.@?#%\t\n\r \u3000\u2028ab\u0000\u202e"), max_size=24)


@given(st.one_of(_HOSTILE, st.text(max_size=40)))
def test_target_resolved_like_a_browser_stays_on_the_site(target: str) -> None:
    """Resolved against the site's URL, after the tab/newline removal browsers do, an accepted target keeps the host."""
    from urllib.parse import urljoin, urlsplit

    result = safe_next(target)
    if result is not None:
        cleaned = result.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
        assert urlsplit(urljoin("https://tw.example/a/", cleaned)).netloc == "tw.example"
