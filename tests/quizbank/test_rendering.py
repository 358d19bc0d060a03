"""Author text is Markdown rendered to sanitised HTML."""

from __future__ import annotations

import pytest

from quizbank.rendering import render_markdown


def test_markdown_formatting_is_kept() -> None:
    html = render_markdown(
        "**Creatinine** 1.1 mg/dL\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )

    assert "<strong>Creatinine</strong>" in html
    assert "<li>one</li>" in html
    assert "<table>" in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_scripts_handlers_and_dangerous_urls_are_removed(attack: str) -> None:
    html = render_markdown(attack).lower()

    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "style=" not in html


def test_links_are_marked_as_external_and_unfollowed() -> None:
    html = render_markdown("[NCCN](https://www.nccn.org/)")

    assert 'href="https://www.nccn.org/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_inline_rendering_keeps_formatting_without_a_paragraph() -> None:
    from quizbank.rendering import render_markdown_inline

    assert render_markdown_inline("**Bortezomib** plus dexamethasone") == (
        "<strong>Bortezomib</strong> plus dexamethasone"
    )
    assert render_markdown_inline("<script>x</script>Dex") == "Dex"
    assert "<p>" in render_markdown_inline("First paragraph.\n\nSecond paragraph.")
