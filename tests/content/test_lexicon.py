"""The answerer's data (content/lexicon/): the shipped files load, a malformed one is reported with its file,
line and reason, and the fitted numbers have the shapes the code expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from content.search import (
    BLEND,
    CONFIDENCE,
    FEATURES,
    FITTED,
    FOLDS,
    GENERIC,
    LEXICON,
    NB_TEMPERATURE,
    OFF_TOPIC,
    STOPWORDS,
    VIEWS,
    LexiconError,
    Params,
    fitted_json,
    fold,
    normalise,
    read_fitted,
    read_folds,
    read_words,
    stem,
)


def test_the_shipped_word_lists_and_folds_are_what_the_answerer_uses() -> None:
    assert frozenset(read_words(LEXICON / "stopwords.txt")) == STOPWORDS and "the" in STOPWORDS
    assert frozenset(stem(w) for w in read_words(LEXICON / "off_topic.txt")) == OFF_TOPIC and "pension" in OFF_TOPIC
    assert frozenset(stem(w) for w in read_words(LEXICON / "generic.txt")) == GENERIC and "time" in GENERIC
    folds = read_folds(LEXICON / "folds.tsv")
    assert [(p.pattern, r) for p, r in folds] == [(p.pattern, r) for p, r in FOLDS]
    assert fold("the sarge said 15 mins").split() == fold("the sergeant said fifteen minutes").split()


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("can I book annual leave", "annualleave"), ("swap my rest days", "restday"), ("who is duty inspector", "rota"),
        ("working from home", "wfh"), ("pool car keys", "poolcar"), ("car park full", "carpark"),
        ("body worn footage", "bodycam"), ("first aid course", "firstaid"), ("pay rise when", "payrise"),
        ("mobile hotspot", "wifihotspot"), ("my PC won't start", "laptop"),
        ("turn the hotspot on", "wifihotspot"), ("connect my laptop to the hot spot", "wifihotspot"),
        ("the hot spot password", "wifihotspot"), ("a hot spot in the loft", "heathotspot"),
        ("tyre hot spots", "heathotspot"), ("my dog has a hot spot on his neck", "skinhotspot"),
        ("best holiday hot spots", "leisurehotspot"), ("the hot spot for singles", "leisurehotspot"),
        ("the stop and search form", "searchform"), ("strip searching", "stripsearch"),
        ("can I use section 136", "s136"), ("held on a s.135", "s135"),
    ],
)
def test_the_word_an_out_of_scope_fold_makes_counts_against_an_answer(question: str, word: str) -> None:
    # folds.tsv and off_topic.txt must stay in step, or folding a phrase away would only lose it.
    assert stem(word) in normalise(question) and stem(word) in OFF_TOPIC


@pytest.mark.parametrize(
    "question",
    [
        "how do we turn the hot spot around", "share the results with the hot spot team",
        "connect with the hot spot residents", "can I see the hot spot data", "nightlife hot spots on a saturday",
        "tourist hot spots for pickpockets", "summer hot spots for ASB", "is stop and search fair at hot spots",
    ],
)
def test_the_hot_spots_of_policing_are_not_folded_into_another_sense(question: str) -> None:
    # The other senses of hot spot (a phone's, an oven's, a holiday's) need the words that make them other.
    assert "hotspot" in normalise(question) or "stopsearch" in normalise(question)
    assert not set(normalise(question)) & OFF_TOPIC


def test_the_fitted_numbers_have_one_coefficient_per_feature_and_one_weight_per_view() -> None:
    assert len(CONFIDENCE) == len(FEATURES) + 1  # the intercept, then one per feature
    assert len(BLEND) == len(VIEWS) == 3 and all(w >= 0 for w in BLEND) and any(BLEND)
    assert NB_TEMPERATURE > 0
    assert Params() == Params(BLEND, CONFIDENCE, NB_TEMPERATURE)
    assert read_fitted(FITTED) == (BLEND, NB_TEMPERATURE, CONFIDENCE)


def test_the_fitted_numbers_say_which_command_wrote_them() -> None:
    comment = json.loads(FITTED.read_text(encoding="utf-8"))["comment"]
    assert "python -m bench.tune" in comment and "20" in comment  # the command, and a date


def test_what_bench_tune_writes_reads_back_exactly(tmp_path: Path) -> None:
    params = Params((0.5, 2.0, 1.0), tuple(0.1234 * i - 1 for i in range(len(FEATURES) + 1)), 0.25)
    path = tmp_path / "fitted.json"
    path.write_text(fitted_json(params, "written by a test"), encoding="utf-8")
    assert read_fitted(path) == (params.blend, params.temperature, params.confidence)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("# a comment\nhello\nsick pay\n", 3, "'sick pay' is not one word"),
        ("hello\nHello\n", 2, "'Hello' is not one word"),
        ("pay  # wages\n\nleave\npay\n", 4, "'pay' is already listed on line 1"),
    ],
)
def test_a_malformed_word_list_is_reported_with_its_file_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "off_topic.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError) as raised:
        read_words(path)
    assert f"{path}: line {line}: " in str(raised.value) and reason in str(raised.value)


def test_an_empty_word_list_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "generic.txt"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="lists no words"):
        read_words(path)


@pytest.mark.parametrize(
    ("line_text", "reason"),
    [
        (r"\bsarge\b sergeant", "has 0 tabs"),
        ("\\bsarge\\b\tsergeant\textra", "has 2 tabs"),
        ("\\b(sarge\tsergeant", "is not a regular expression: missing ), unterminated subpattern"),
        ("\\bsarge\\b\t\\1 sergeant", "invalid group reference 1"),
        ("\\bsarge\\b\tsergeant ", "must be words with no space at either end"),
        ("x*\tsergeant", "matches nothing at all"),
    ],
)
def test_a_malformed_fold_is_reported_with_its_file_line_and_reason(
    tmp_path: Path, line_text: str, reason: str
) -> None:
    path = tmp_path / "folds.tsv"
    path.write_text(f"# pattern, tab, replacement\n\\bsgts?\\b\tsergeant\n{line_text}\n", encoding="utf-8")
    with pytest.raises(LexiconError) as raised:
        read_folds(path)
    assert f"{path}: line 3: " in str(raised.value) and reason in str(raised.value)


def test_a_fold_replacement_is_used_with_a_space_either_side(tmp_path: Path) -> None:
    path = tmp_path / "folds.tsv"
    path.write_text("\\b(\\d+)\\s*mins?\\b\t\\1 minute\n", encoding="utf-8")
    [(pattern, replacement)] = read_folds(path)
    assert replacement == r" \1 minute " and pattern.sub(replacement, "15mins") == " 15 minute "


def _fitted(tmp_path: Path, change: dict[str, object], drop: str = "") -> Path:
    data = json.loads(FITTED.read_text(encoding="utf-8"))
    data.update(change)
    if drop:
        section, _, name = drop.partition(".")
        if name:
            del data[section][name]
        else:
            del data[section]
    path = tmp_path / "fitted.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_a_fitted_file_missing_a_coefficient_is_reported_with_the_line_and_what_to_do(tmp_path: Path) -> None:
    path = _fitted(tmp_path, {}, drop="confidence.oos_words")
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"confidence"' in text)
    with pytest.raises(LexiconError) as raised:
        read_fitted(path)
    message = str(raised.value)
    assert f"{path}: line {line}: field `confidence`: " in message
    assert "has no number for oos_words;" in message and "python -m bench.tune --write" in message


@pytest.mark.parametrize(
    ("change", "drop", "field", "reason"),
    [
        ({"blend": {"bm25": 0.5, "phrasing": 2.0}}, "", "blend", "has no number for naive_bayes;"),
        ({"blend": {"bm25": 0.5, "phrasing": 2.0, "naive_bayes": -1.0}}, "", "blend", "a weight is negative"),
        ({"nb_temperature": 0}, "", "nb_temperature", "0 is not a number above 0"),
        ({"nb_temperature": "0.1"}, "", "nb_temperature", "'0.1' is not a number above 0"),
        ({"comment": ""}, "", "comment", "must say which command wrote these numbers"),
        ({"threshold": 0.5}, "", "threshold", "is not one of comment, blend, nb_temperature"),
        ({}, "nb_temperature", "nb_temperature", "is missing"),
    ],
)
def test_a_malformed_fitted_file_is_reported_with_the_field_and_reason(
    tmp_path: Path, change: dict[str, object], drop: str, field: str, reason: str
) -> None:
    path = _fitted(tmp_path, change, drop)
    with pytest.raises(LexiconError) as raised:
        read_fitted(path)
    assert str(path) in str(raised.value) and f"field `{field}`: " in str(raised.value)
    assert reason in str(raised.value)


def test_a_fitted_file_that_is_not_json_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "fitted.json"
    path.write_text('{\n  "comment": "x",\n  "blend": {,\n}\n', encoding="utf-8")
    with pytest.raises(LexiconError, match=r"line 3: field `\(json\)`: is not JSON"):
        read_fitted(path)
