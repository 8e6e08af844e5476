"""Evaluation of predicted labels against gold labels, checked against hand-computed numbers.

tests/data/labels-gold.jsonl holds G1..G5; tests/data/labels-predicted.jsonl predicts
G1..G4 (with a blank line before G3) and X9, which has no gold. So G5 is missing (scored as
an empty prediction) and X9 is extra (ignored): n = 5.

    item  gold outcomes / primary   predicted outcomes / primary
    G1    {O1, O2} / O2             {O1, O2} / O1
    G2    {O4} / O4                 {O1, O4} / O4
    G3    {} / null                 {O1} / O1
    G4    {O3} / O3                 {O3} / O3
    G5    {O1} / O1                 {} / null      (missing)
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from tcmap.classify.jsonl import read_labels, write_labels
from tcmap.classify.metrics import evaluate_labels, kappa
from tcmap.cli.common import State
from tcmap.cli.evaluate import register
from tcmap.config import Settings
from tcmap.errors import InputError

from conftest import DATA

GOLD = DATA / "labels-gold.jsonl"
PREDICTED = DATA / "labels-predicted.jsonl"


@pytest.fixture(scope="module")
def result():
    return evaluate_labels(read_labels(GOLD), read_labels(PREDICTED))


def rows(dimension: dict) -> dict[str, dict]:
    return {r["code"]: r for r in dimension["codes"]}


def test_missing_and_extra_ids_are_counted_and_named(result):
    assert result["n"] == 5 and result["matched"] == 4
    assert (result["missing"], result["missing_ids"]) == (1, ["XX-1-G5"])
    assert (result["extra"], result["extra_ids"]) == (1, ["XX-1-X9"])


def test_micro_and_macro_f1_of_outcomes(result):
    # tp: G1 O1,O2; G2 O4; G4 O3 = 4. fp: G2 O1; G3 O1 = 2. fn: G5 O1 = 1.
    # micro P = 4/6, R = 4/5, F1 = 2*4 / (2*4 + 2 + 1) = 8/11.
    # per code F1: O1 = 2*1/(2+1) ... = 2/(2*1 + 2 + 1) = 0.4; O2, O3, O4 = 1.
    # macro over the 4 codes that occur: (0.4 + 1 + 1 + 1) / 4 = 0.85.
    d = result["dimensions"]["outcomes"]
    assert (d["tp"], d["fp"], d["fn"]) == (4, 2, 1)
    assert d["micro_precision"] == 0.6667 and d["micro_recall"] == 0.8
    assert d["micro_f1"] == round(8 / 11, 4) == 0.7273
    assert d["macro_f1"] == 0.85 and d["macro_codes"] == 4
    assert "gold or predicted" in d["macro_over"]


def test_outcome_rows_count_support_predictions_and_errors_per_code(result):
    # O1 is gold in G1, G5 (support 2) and predicted in G1, G2, G3 (3): tp 1, fp 2, fn 1.
    o = rows(result["dimensions"]["outcomes"])
    assert o["O1"] == {"code": "O1", "support": 2, "predicted": 3, "tp": 1, "fp": 2, "fn": 1,
                       "precision": 0.3333, "recall": 0.5, "f1": 0.4}
    assert o["O2"]["f1"] == 1.0 and o["O2"]["support"] == 1
    # O7 is only in the extra prediction, which is ignored: a framework row of zeros.
    assert o["O7"] == {"code": "O7", "support": 0, "predicted": 0, "tp": 0, "fp": 0, "fn": 0,
                       "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert len(o) == 19 and not result["dimensions"]["outcomes"]["unknown_codes"]


def test_modalities_macro_f1_counts_a_code_never_predicted_as_zero(result):
    # training: support 2 (G1, G4), predicted 3 (G1, G2, G4), tp 2 -> F1 = 4/5 = 0.8.
    # policy_advice (G1) and institution_building (G5) never predicted -> F1 0.0 (0/0 -> 0).
    # direct_action: 1/1/1 -> F1 1. Macro = (0.8 + 0 + 0 + 1) / 4 = 0.45.
    # Micro: tp 3, fp 1 (training in G2), fn 2 -> F1 = 6 / (6 + 1 + 2) = 0.6667.
    d = result["dimensions"]["modalities"]
    m = rows(d)
    assert m["training"]["f1"] == 0.8 and m["training"]["precision"] == 0.6667
    assert m["policy_advice"] == {"code": "policy_advice", "support": 1, "predicted": 0,
                                  "tp": 0, "fp": 0, "fn": 1, "precision": 0.0, "recall": 0.0,
                                  "f1": 0.0}
    assert (d["micro_precision"], d["micro_recall"], d["micro_f1"]) == (0.75, 0.6, 0.6667)
    assert d["macro_f1"] == 0.45 and d["macro_codes"] == 4
    assert m["e_learning"]["predicted"] == 0  # only in the extra item X9


def test_primary_outcome_accuracy_treats_null_as_a_class(result):
    # Right: G2 (O4), G4 (O3) -> 2/5. Gold not null: G1, G2, G4, G5 -> 2/4.
    # G3 (null -> O1) and G5 (O1 -> null) are confusions involving the null class.
    d = result["dimensions"]["primary_outcome"]
    assert d["accuracy"] == 0.4 and d["correct"] == 2
    assert d["accuracy_gold_not_null"] == 0.5 and d["n_gold_not_null"] == 4
    assert d["confusions"] == [
        {"gold": "O2", "predicted": "O1", "count": 1},
        {"gold": None, "predicted": "O1", "count": 1},
        {"gold": "O1", "predicted": None, "count": 1},
    ]


def test_kappa_of_capacity_development_computed_by_hand(result):
    # gold  T F F T T, predicted T T F T F (G5 missing -> false).
    # tp 2 (G1, G4), fp 1 (G2), fn 1 (G5), tn 1 (G3).
    # po = 3/5 = 0.6; gold true 3/5, predicted true 3/5:
    # pe = 0.6*0.6 + 0.4*0.4 = 0.52; kappa = (0.6 - 0.52) / (1 - 0.52) = 0.08/0.48 = 1/6.
    d = result["dimensions"]["capacity_development"]
    assert (d["tp"], d["fp"], d["fn"], d["tn"]) == (2, 1, 1, 1)
    assert d["accuracy"] == 0.6 and d["precision"] == d["recall"] == d["f1"] == 0.6667
    assert d["kappa"] == 0.1667


def test_kappa_below_chance_is_negative_for_world_of_work(result):
    # gold T T F T T, predicted T T T T F: tp 3, fp 1 (G3), fn 1 (G5), tn 0.
    # po = 0.6; pe = 0.8*0.8 + 0.2*0.2 = 0.68; kappa = -0.08 / 0.32 = -0.25.
    d = result["dimensions"]["world_of_work"]
    assert (d["accuracy"], d["f1"], d["kappa"]) == (0.6, 0.75, -0.25)


def test_kappa_does_not_divide_by_zero_when_chance_agreement_is_total():
    assert kappa(tp=4, fp=0, fn=0, tn=0) == 1.0
    assert kappa(tp=0, fp=0, fn=0, tn=3) == 1.0
    assert kappa(0, 0, 0, 0) == 0.0
    same = [{"id": "a", "world_of_work": False}, {"id": "b", "world_of_work": False}]
    d = evaluate_labels(same, same)["dimensions"]["world_of_work"]
    assert d["kappa"] == 1.0 and d["accuracy"] == 1.0 and d["f1"] == 0.0


def test_codes_outside_the_framework_get_rows_and_are_named():
    gold = [{"id": "a", "modalities": ["training"]}]
    predicted = [{"id": "a", "modalities": ["training", "made_up"]}]
    d = evaluate_labels(gold, predicted)["dimensions"]["modalities"]
    assert d["unknown_codes"] == ["made_up"] and rows(d)["made_up"]["fp"] == 1
    assert d["micro_precision"] == 0.5 and d["macro_f1"] == 0.5  # (1 + 0) / 2


def test_empty_gold_gives_zeros_not_errors():
    result = evaluate_labels([], [{"id": "x"}])
    assert result["n"] == 0 and result["extra"] == 1
    assert result["dimensions"]["outcomes"]["micro_f1"] == 0.0
    assert result["dimensions"]["primary_outcome"]["accuracy"] == 0.0


def test_written_labels_read_back_the_same(tmp_path):
    labels = read_labels(GOLD)
    assert write_labels(tmp_path / "out.jsonl", labels) == 5
    assert read_labels(tmp_path / "out.jsonl") == labels


# --- Bad label files --------------------------------------------------------------------------
# The bad files are written here from the valid gold file so that only one line differs.


def bad_file(tmp_path, replace_line: int, text: str):
    lines = GOLD.read_text().splitlines()
    lines[replace_line - 1] = text
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("text", "words"), [
    ('{"id": "XX-1-G3", "world_of_work": tru', "not JSON"),
    ('{"world_of_work": true}', 'no "id"'),
    ('{"id": "XX-1-G1"}', "already labelled on line 1"),
    ('{"id": "XX-1-G3", "world_of_work": "yes"}', '"world_of_work"'),
    ('{"id": "XX-1-G3", "outcomes": "O1"}', '"outcomes"'),
    ('["XX-1-G3"]', "not an object"),
])
def test_a_bad_line_raises_input_error_naming_file_and_line(tmp_path, text, words):
    path = bad_file(tmp_path, 3, text)
    with pytest.raises(InputError) as info:
        read_labels(path)
    err = info.value
    assert err.code == "bad-label-line" and err.hint
    assert err.context["line"] == 3 and err.context["file"] == str(path)
    assert f"{path}, line 3:" in err.message and words in err.message
    problem = err.to_problem()
    assert problem.line == 3 and problem.severity == "error"


def test_a_missing_label_file_raises_file_not_found(tmp_path):
    with pytest.raises(InputError) as info:
        read_labels(tmp_path / "nowhere.jsonl")
    assert info.value.code == "file-not-found"


# --- The command ------------------------------------------------------------------------------


def evaluate_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _main(ctx: typer.Context) -> None:
        """Keeps `evaluate` a named subcommand."""
        ctx.obj = State(Settings.load())

    register(app)
    return app


def run(*args: str):
    return CliRunner().invoke(evaluate_app(), ["evaluate", *args], catch_exceptions=False)


def test_evaluate_json_is_exactly_the_library_result():
    out = run("--gold", str(GOLD), "--predicted", str(PREDICTED), "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == evaluate_labels(read_labels(GOLD), read_labels(PREDICTED))


def test_evaluate_prints_readable_tables_at_80_columns(tmp_path):
    predicted = read_labels(PREDICTED)
    predicted[0]["target_groups"].append("justice_legislature_media")  # the longest code
    write_labels(tmp_path / "predicted.jsonl", predicted)
    out = CliRunner().invoke(evaluate_app(), ["evaluate", "--gold", str(GOLD), "--predicted",
                                              str(tmp_path / "predicted.jsonl")],
                             env={"COLUMNS": "80"}, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "XX-1-G5" in out.stdout and "XX-1-X9" in out.stdout
    for words in ("Agreement by dimension", "capacity_development", "0.167", "0.727",
                  "Outcomes by code", "Target groups by code", "justice_legislature_media",
                  "(4 codes present, 15 absent)"):
        assert words in out.stdout
    assert max(len(line) for line in out.stdout.splitlines()) <= 80


def test_evaluate_wants_exactly_one_source_of_predictions():
    out = CliRunner().invoke(evaluate_app(), ["evaluate", "--gold", str(GOLD)])
    assert out.exit_code == 2 and "--predicted" in out.output


def test_evaluate_of_a_bad_gold_file_raises_input_error(tmp_path):
    path = bad_file(tmp_path, 2, "not json")
    with pytest.raises(InputError, match="line 2"):
        run("--gold", str(path), "--predicted", str(PREDICTED))


def test_common_leaves_out_gold_items_without_a_prediction_instead_of_scoring_them_empty():
    both = evaluate_labels(read_labels(GOLD), read_labels(PREDICTED), common=True)
    assert (both["n"], both["matched"], both["missing"]) == (4, 4, 0)
    assert (both["left_out"], both["left_out_ids"]) == (1, ["XX-1-G5"])
    assert both["extra_ids"] == ["XX-1-X9"]
    # Scored empty, G5's gold O1 is a missed outcome; left out, it is not counted at all.
    everything = evaluate_labels(read_labels(GOLD), read_labels(PREDICTED))
    outcomes = (rows(everything["dimensions"]["outcomes"])["O1"],
                rows(both["dimensions"]["outcomes"])["O1"])
    assert [(r["support"], r["fn"]) for r in outcomes] == [(2, 1), (1, 0)]  # G1 and G5; G1
    assert everything["left_out"] == 0 and everything["left_out_ids"] == []


def test_evaluate_common_names_what_it_left_out():
    out = run("--gold", str(GOLD), "--predicted", str(PREDICTED), "--common")
    assert out.exit_code == 0, out.output
    assert "4 gold items" in out.stdout
    assert "1 gold items without a prediction left out" in out.stdout
    assert "XX-1-G5" in out.stdout
