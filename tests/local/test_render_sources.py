"""The workspace's source citation: the title is the link (url, else the DOI's address), opened with
rel="noopener noreferrer"; everything escaped; a source without a link is its citation alone."""

from __future__ import annotations

import dataclasses

from bot.local.render import source_html
from tests.slack.test_sources import KOPER


def test_the_title_is_the_link_and_the_citation_reads_in_full() -> None:
    assert source_html(KOPER) == (
        'Koper, C.S. (1995). <a href="https://nij.ojp.gov/library/publications/just-enough" '
        'rel="noopener noreferrer">Just enough police presence</a>. Justice Quarterly 12(4): 649-672.')


def test_a_source_with_only_a_doi_links_to_the_doi() -> None:
    assert '<a href="https://doi.org/10.1080/07418829500096231" rel="noopener noreferrer">' in source_html(
        dataclasses.replace(KOPER, url=""))


def test_a_source_without_any_link_is_the_citation_alone() -> None:
    assert source_html(dataclasses.replace(KOPER, url="", doi="")) == (
        "Koper, C.S. (1995). Just enough police presence. Justice Quarterly 12(4): 649-672.")


def test_every_part_is_escaped() -> None:
    hostile = dataclasses.replace(KOPER, authors="<script>x</script> & co", title='"><img src=x>',
                                  published_in="J <b>", url='https://example.org/"onmouseover="x')
    shown = source_html(hostile)
    assert "<script>" not in shown and "<img" not in shown and "<b>" not in shown
    assert 'href="https://example.org/&quot;onmouseover=&quot;x"' in shown
    assert shown.count("<") == 2  # the link's opening and closing tags, nothing else
