"""A card's sources link where a reviewer can check them: never a mirror, a staging host or a malformed
address; with no confirmed link the full citation stands alone, on every surface."""

from __future__ import annotations

from pathlib import Path

import pytest

from content import ContentError, load_pack
from content.load import link_problem

CARD = Path(__file__).resolve().parents[2] / "content" / "cards" / "evidence-force-reported-results.md"


@pytest.mark.parametrize(("url", "reason"), [
    ("https://studylib.net/doc/25495466/weisburd-criminology-2015", "mirror"),
    ("http://slideplayer.com/slide/2401499/", "mirror"),
    ("https://www.vdocuments.us/amp/x", "mirror"),
    ("https://ro.scribd.com/document/74759279/x", "mirror"),
    ("https://paperexplained.cn/articles/paper/detail/f24bc29c", "mirror"),
    ("https://corpora.tika.apache.org/base/docs/govdocs1/265/265683.html", "mirror"),
    ("https://alertinfo.blogspot.com/2007/07/x.html", "mirror"),
    ("https://production.copweb.aws.college.police.uk/article/x", "staging"),
    ("https://www.repository.cam.ac.uk:80/handle/1810/264659", "port 80"),
    ("https://ojp.gov./ncjrs/virtual-library/abstracts/x", "ends in a dot"),
    ("ftp://example.org/x", "not an http"),
    ("https://example.org/a b", "not an http"),
])
def test_links_a_reviewer_cannot_use_are_refused_with_the_reason(url: str, reason: str) -> None:
    problem = link_problem(url)
    assert problem is not None and reason in problem


@pytest.mark.parametrize("url", [
    "https://doi.org/10.1111/1745-9125.12070",
    "https://www.ncjrs.gov/App/Publications/abstract.aspx?ID=112914",
    "https://www.college.police.uk/guidance/serious-violence-hot-spots-policing-guide/about-guide",
])
def test_canonical_links_are_accepted(url: str) -> None:
    assert link_problem(url) is None


def test_a_mirror_link_in_a_card_is_named_by_file_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    text = CARD.read_text(encoding="utf-8").replace(
        '    published_in: "College of Policing article (web page, undated)"\n',
        '    published_in: "College of Policing article (web page, undated)"\n'
        '    url: "https://studylib.net/doc/1/copy"\n', 1)
    (folder / CARD.name).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_pack(folder, examples=Path(__file__).resolve().parents[2] / "content" / "examples.jsonl")
    assert "evidence-force-reported-results.md" in str(caught.value) and "sources[1].url" in str(caught.value)


def test_the_shipped_pack_links_no_mirror_and_a_source_without_a_link_keeps_its_citation() -> None:
    pack = load_pack()
    assert [s.url for c in pack.cards for s in c.sources if s.url and link_problem(s.url)] == []
    card = pack.card("evidence-force-reported-results")
    assert card is not None and card.sources[0].url == ""


def test_every_surface_shows_a_source_without_a_link_as_its_citation() -> None:
    from bot.local.render import source_html
    from bot.slack.render import source_mrkdwn
    from bot.teams.card import source_markdown

    card = load_pack().card("evidence-force-reported-results")
    assert card is not None
    unlinked = card.sources[0]
    citation = "Using data-driven policing to reduce violence across England and Wales"
    assert citation in source_mrkdwn(unlinked) and "<" not in source_mrkdwn(unlinked).replace("&lt;", "")
    assert citation in source_markdown(unlinked) and "](" not in source_markdown(unlinked)
    assert citation in source_html(unlinked) and "<a" not in source_html(unlinked)
