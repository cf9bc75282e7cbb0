"""A source may give a bare DOI: it is checked, it becomes the link when no url is given, and a journal
article without one is warned about (never refused), naming the file and the source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from content import ContentError, load_pack
from content.load import doi_problem, link_problem, looks_like_journal_article
from content.model import DOI_RESOLVER, Source, doi_link
from tests.content.conftest import card_fields, write_card
from tests.content.test_check_command import check

KOPER_DOI = "10.1080/07418829500096231"


def source(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "authors": "Koper, C.S.", "year": 1995, "title": "Just enough police presence",
        "published_in": "Justice Quarterly 12(4): 649-672", "url": "https://example.org/koper-1995",
        "doi": KOPER_DOI,
    }
    for key, value in changes.items():
        if value is None:
            fields.pop(key)
        else:
            fields[key] = value
    return fields


def refusal(folder: Path, **changes: Any) -> str:
    path = write_card(folder, card_fields(sources=[source(**changes)]))
    with pytest.raises(ContentError) as caught:
        load_pack(folder)
    [problem] = caught.value.problems
    assert problem.path == str(path)
    return str(problem)


def test_a_source_with_a_doi_and_no_url_links_to_the_doi(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(sources=[source(url=None)]))
    [card] = load_pack(tmp_path).cards
    assert card.sources[0].doi == KOPER_DOI
    assert card.sources[0].link == "https://doi.org/10.1080/07418829500096231"


def test_a_given_url_is_the_link_even_with_a_doi(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(sources=[source()]))
    assert load_pack(tmp_path).cards[0].sources[0].link == "https://example.org/koper-1995"


def test_a_source_with_neither_has_no_link() -> None:
    assert Source("A", 2020, "T", "College of Policing guidance (web page, undated)", "").link == ""


def test_a_doi_written_as_a_link_is_refused_asking_for_the_bare_doi(tmp_path: Path) -> None:
    message = refusal(tmp_path, doi="https://doi.org/10.1080/07418829500096231")
    assert "field `sources[1].doi`" in message
    assert "bare DOI ('10.1080/07418829500096231')" in message and "without https://doi.org/" in message


@pytest.mark.parametrize("doi", ["doi:10.1080/07418829500096231", "http://dx.doi.org/10.1080/07418829500096231",
                                 "doi.org/10.1080/07418829500096231"])
def test_other_link_forms_of_a_doi_are_refused_the_same_way(doi: str) -> None:
    problem = doi_problem(doi)
    assert problem is not None and "bare DOI" in problem


@pytest.mark.parametrize("doi", ["11.1080/0741", "10.1080", "10.1080/", "10.abc/x", "10.1080/a b", "10./x",
                                 "10.1080/x\n", "", 10.1080, ["10.1080/x"]])
def test_something_that_is_not_a_doi_is_refused(doi: object) -> None:
    problem = doi_problem(doi)
    assert problem is not None and ("not a DOI" in problem or "must be a DOI" in problem)


def test_a_bad_doi_in_a_card_names_file_field_and_example(tmp_path: Path) -> None:
    message = refusal(tmp_path, doi="10.1080 07418829500096231")
    assert "field `sources[1].doi`" in message and "e.g. 10.1080/07418829500096231" in message


def test_a_doi_that_disagrees_with_its_doi_org_url_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, url="https://doi.org/10.1111/1745-9125.12070")
    assert "field `sources[1].doi`" in message and "not the DOI its url links" in message


def test_a_doi_that_agrees_with_its_doi_org_url_is_accepted_in_any_case(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(sources=[source(doi="10.1016/j.jcrimjus.2010.01.001",
                                                     url="https://doi.org/10.1016/J.JCRIMJUS.2010.01.001")]))
    assert load_pack(tmp_path).cards[0].sources[0].doi == "10.1016/j.jcrimjus.2010.01.001"


def test_a_misspelt_source_field_is_refused_not_ignored(tmp_path: Path) -> None:
    message = refusal(tmp_path, doi=None, DOI=KOPER_DOI)
    assert "field `sources[1].DOI`: unknown field; expected one of authors, year, title, published_in, url, doi" \
        in message


@pytest.mark.parametrize("published_in", [
    "Justice Quarterly 12(4): 649-672", "Cambridge Journal of Evidence-Based Policing 5: 119-133",
    "PNAS 119(14): e2118780119", "Criminology 58", "Australian Journal of Forensic Sciences 51(S1): S136-S140",
    "Campbell Systematic Reviews 2012:8", "Cambridge Journal of Evidence-Based Policing", "Police Practice 18(4)",
])
def test_journal_articles_are_recognised(published_in: str) -> None:
    assert looks_like_journal_article(published_in)


@pytest.mark.parametrize("published_in", [
    "College of Policing guidance (web page, undated)", "National Institute of Justice", "SoundThinking blog",
    "TVVPP website, 7 April 2025", "University of Maryland (doctoral thesis)", "Home Office report 2019 (revised)",
    "4th International Evidence-Based Policing Conference (slides)", "Police Federation (West Midlands) news",
    "Press and Journal (news report), 17 September 2021", "MNR Journal (news report)",
    "Wall Street Journal blog", "Criminology department website",
])
def test_pages_reports_and_news_are_not_taken_for_journal_articles(published_in: str) -> None:
    assert not looks_like_journal_article(published_in)


def test_a_journal_article_without_a_doi_is_warned_about_naming_file_and_source(tmp_path: Path) -> None:
    path = write_card(tmp_path, card_fields(sources=[source(doi=None)]))
    pack = load_pack(tmp_path)
    assert len(pack.cards) == 1
    [warning] = pack.warnings
    assert warning.warning and warning.path == str(path) and warning.field == "sources[1].doi"
    assert "'Just enough police presence' looks like a journal article" in str(warning) and "warning:" in str(warning)


def test_no_warning_with_a_doi_a_doi_org_url_or_for_a_web_page(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields("with-doi", sources=[source()]))
    write_card(tmp_path, card_fields("doi-url", sources=[source(doi=None, url="https://doi.org/" + KOPER_DOI)]))
    write_card(tmp_path, card_fields("web-page", sources=[source(
        doi=None, published_in="College of Policing guidance (web page, undated)")]))
    assert load_pack(tmp_path).warnings == ()


def test_content_check_prints_the_doi_warning_and_still_passes(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    path = write_card(cards, card_fields(sources=[source(doi=None)]))
    result = check("--path", str(cards), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{path}: warning: field `sources[1].doi`: 'Just enough police presence' looks like" in result.stderr
    assert result.stdout.startswith("ok: 1 cards")


def test_content_check_json_lists_the_doi_warning_with_the_others(tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    path = write_card(cards, card_fields(sources=[source(doi=None)]))
    result = check("--path", str(cards), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert [w for w in report["warnings"] if w.startswith(f"{path}: warning: field `sources[1].doi`")]


# -- the DOI parser takes coordinators' text: it must answer, never crash --------------------------------
SUFFIX = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=40)
REGISTRANT = st.from_regex(r"\A[0-9]{4,9}(\.[0-9]{1,3})?\Z")


@given(st.one_of(st.text(max_size=80), st.integers(), st.none(), st.floats()))
@example("10.1080/x y")
@example("https://doi.org/")
def test_doi_problem_answers_for_any_input(value: object) -> None:
    problem = doi_problem(value)
    assert problem is None or isinstance(problem, str)
    if isinstance(value, str) and any(c.isspace() for c in value):
        assert problem is not None


@given(REGISTRANT, SUFFIX)
@example("1080", "07418829500096231")
@example("1000", "a#b?c%20|<x>")
def test_every_bare_doi_is_accepted_and_links_to_itself(registrant: str, suffix: str) -> None:
    doi = f"10.{registrant}/{suffix}"
    assert doi_problem(doi) is None
    link = doi_link(doi)
    assert link_problem(link) is None
    assert unquote(link[len(DOI_RESOLVER):]) == doi
    assert not any(c in link for c in " <>|#?\"'")
