"""The loader refuses a broken card, naming the file, the field and the reason, so a coordinator can fix it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from content import ContentError, load_pack
from content.load import MAX_BODY
from content.model import Problem
from tests.content.conftest import card_fields, write_card


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        load_pack(folder)
    return caught.value.problems


def only_problem(folder: Path) -> Problem:
    problems = problems_of(folder)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_a_valid_card_loads_with_every_field(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields())
    pack = load_pack(tmp_path)
    card = pack.cards[0]
    assert card.id == "fifteen-minutes-test" and card.topic == "fifteen-minutes"
    assert card.check.options[card.check.answer - 1] == "About 10 to 15 minutes"
    assert card.sources[0].url == "https://example.org/koper-1995"
    assert card.path.endswith("fifteen-minutes-test.md")


def test_front_matter_that_is_not_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken-yaml.md"
    path.write_text('---\nid: broken-yaml\ntitle: "unclosed\ntopic: [evidence\n---\nBody.\n', encoding="utf-8")
    problem = only_problem(tmp_path)
    assert problem.path == str(path)
    assert problem.field == "(front matter)"
    assert "not valid YAML" in problem.reason and "line" in problem.reason


def test_a_card_without_front_matter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "no-front.md").write_text("Just a body, no front matter.\n", encoding="utf-8")
    problem = only_problem(tmp_path)
    assert problem.field == "(front matter)" and "start with a `---` line" in problem.reason


def test_front_matter_without_a_closing_line_is_refused(tmp_path: Path) -> None:
    (tmp_path / "unclosed.md").write_text("---\nid: unclosed\ntopic: evidence\n", encoding="utf-8")
    assert "no closing `---` line" in only_problem(tmp_path).reason


@pytest.mark.parametrize("field", ["topic", "title", "owner", "sources", "check", "also_asked", "say_to_public"])
def test_a_missing_field_is_named(tmp_path: Path, field: str) -> None:
    path = write_card(tmp_path, card_fields(**{field: None}))
    problem = only_problem(tmp_path)
    assert (problem.path, problem.field, problem.reason) == (str(path), field, "is required")


def test_myth_may_be_left_out(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(myth=None))
    assert load_pack(tmp_path).cards[0].myth is None


def test_a_topic_outside_the_fixed_list_is_refused_with_the_list(tmp_path: Path) -> None:
    path = write_card(tmp_path, card_fields(topic="fifteen-minute"))
    problem = only_problem(tmp_path)
    assert problem.path == str(path) and problem.field == "topic"
    assert "'fifteen-minute' is not a topic" in problem.reason and "fifteen-minutes" in problem.reason


@pytest.mark.parametrize("answer", [0, 4, -1, "2", True])
def test_a_check_answer_out_of_range_is_refused(tmp_path: Path, answer: object) -> None:
    fields = card_fields()
    fields["check"]["answer"] = answer
    write_card(tmp_path, fields)
    problem = only_problem(tmp_path)
    assert problem.field == "check.answer" and "1 to 3" in problem.reason


@pytest.mark.parametrize("options", [["only one"], ["a", "b", "c", "d", "e"]])
def test_a_check_needs_two_to_four_options(tmp_path: Path, options: list[str]) -> None:
    fields = card_fields()
    fields["check"]["options"] = options
    fields["check"]["answer"] = 1
    write_card(tmp_path, fields)
    problem = only_problem(tmp_path)
    assert problem.field == "check.options" and "2 to 4" in problem.reason


def test_a_body_over_the_limit_is_refused_with_its_length(tmp_path: Path) -> None:
    body = "x" * (MAX_BODY + 1)
    path = write_card(tmp_path, card_fields(), body=body)
    problem = only_problem(tmp_path)
    assert (problem.path, problem.field) == (str(path), "(body)")
    assert f"{MAX_BODY + 1} characters" in problem.reason and str(MAX_BODY) in problem.reason


def test_a_body_at_the_limit_is_accepted(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(), body="x" * MAX_BODY)
    assert len(load_pack(tmp_path).cards[0].body) == MAX_BODY


def test_an_empty_body_is_refused(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(), body="   ")
    assert only_problem(tmp_path).field == "(body)"


def test_an_id_that_differs_from_the_file_name_is_refused(tmp_path: Path) -> None:
    path = write_card(tmp_path, card_fields("evidence-one"), name="evidence-two")
    problem = only_problem(tmp_path)
    assert (problem.path, problem.field) == (str(path), "id")
    assert "'evidence-one'" in problem.reason and "'evidence-two'" in problem.reason


def test_a_duplicate_id_names_both_files(tmp_path: Path) -> None:
    first = write_card(tmp_path, card_fields("evidence-one"))
    second = write_card(tmp_path, card_fields("evidence-one"), name="evidence-one-copy")
    duplicate = [p for p in problems_of(tmp_path) if "also the id of" in p.reason]
    assert len(duplicate) == 1 and duplicate[0].field == "id"
    named = {duplicate[0].path, duplicate[0].reason.rsplit("also the id of ", 1)[1]}
    assert named == {str(first), str(second)}


def test_an_id_that_is_not_a_slug_is_refused(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields("Fifteen Minutes"), name="Fifteen Minutes")
    problem = only_problem(tmp_path)
    assert problem.field == "id" and "slug" in problem.reason


@pytest.mark.parametrize(
    ("source", "field"),
    [({"year": 95}, "sources[1].year"), ({"url": "www.example.org"}, "sources[1].url"),
     ({"authors": ""}, "sources[1].authors")],
)
def test_a_bad_source_names_the_entry_and_key(tmp_path: Path, source: dict[str, object], field: str) -> None:
    fields = card_fields()
    fields["sources"][0].update(source)
    write_card(tmp_path, fields)
    assert only_problem(tmp_path).field == field


def test_too_few_also_asked_is_refused(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(also_asked=["why 15 mins"]))
    assert only_problem(tmp_path).field == "also_asked"


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(tpoic="evidence"))
    problem = only_problem(tmp_path)
    assert problem.field == "tpoic" and "unknown field" in problem.reason


def test_every_broken_card_is_reported_not_just_the_first(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields("card-a", topic="nope"))
    write_card(tmp_path, card_fields("card-b", title=None))
    write_card(tmp_path, card_fields("card-c"))
    problems = problems_of(tmp_path)
    assert sorted((Path(p.path).name, p.field) for p in problems) == [("card-a.md", "topic"), ("card-b.md", "title")]


def test_a_card_past_review_is_warned_about_not_refused(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(review_by="2020-01-31"))
    pack = load_pack(tmp_path, today=date(2026, 11, 25))
    assert len(pack.cards) == 1
    assert [(w.field, w.warning) for w in pack.warnings] == [("review_by", True)]
    assert "2020-01-31" in str(pack.warnings[0])


def test_a_folder_without_cards_is_refused(tmp_path: Path) -> None:
    assert "holds no cards" in only_problem(tmp_path).reason


def test_a_problem_reads_as_file_field_reason() -> None:
    problem = Problem("content/cards/koper.md", "topic", "'fifteen-minute' is not a topic")
    assert str(problem) == "content/cards/koper.md: field `topic`: 'fifteen-minute' is not a topic"


def test_every_problem_in_a_card_is_listed_not_just_the_first(tmp_path: Path) -> None:
    fields = card_fields(topic="hotspots", version=0, title="x" * 120, owner=None, also_asked=["only one"])
    fields["colour"] = "blue"
    write_card(tmp_path, {k: v for k, v in fields.items() if v is not None}, body="y" * (MAX_BODY + 1))
    problems = problems_of(tmp_path)
    assert {p.field for p in problems} == {"colour", "owner", "topic", "version", "title", "also_asked", "(body)"}
    assert all(p.path.endswith("fifteen-minutes-test.md") for p in problems)
    assert next(p for p in problems if p.field == "owner").reason == "is required"  # said once, not twice


def test_a_card_with_one_problem_still_reports_exactly_one(tmp_path: Path) -> None:
    write_card(tmp_path, card_fields(review_by="soon"))
    problem = only_problem(tmp_path)
    assert (problem.field, problem.reason) == ("review_by", "'soon' is not a date (YYYY-MM-DD)")
