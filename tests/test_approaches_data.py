"""approaches.yaml transcribes every row of the paper's appendix, using taxonomy codes."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
APPROACHES = ROOT / "src/tcmap/taxonomy/data/ilo-spf-2010-15/approaches.yaml"
SHARED_TAXONOMY = Path("/work/shared/spec/taxonomy.yaml")
FRAMEWORK = ROOT / "src/tcmap/taxonomy/data/ilo-spf-2010-15/framework.yaml"

OUTCOMES = [f"O{i}" for i in range(1, 20)]

# Rows of the appendix table "Approaches to capacity development in ILO
# technical cooperation", in the paper's order:
#  O1  Youth employment; Social finance; Employment-intensive investment;
#      Crisis response and reconstruction
#  O2  Skills training; Disability; Employment services
#  O3  Enterprise development; SCORE; Cooperatives; Green jobs
#  O4  Social security
#  O5  Domestic work; Wage policies; Maternity protection
#  O6  Occupational safety and health (OSH)
#  O7  Labour migration
#  O8  HIV/AIDS and the world of work (ILO/AIDS)
#  O9  Employers' activities
#  O10 Workers' activities
#  O11 Labour administration and inspection
#  O12 Social dialogue
#  O13 Sectoral activities; Better work
#  O14 Freedom of association
#  O15 Forced labour
#  O16 IPEC
#  O17 Non-discrimination; Gender equality
#  O18 International labour standards (ILS); Promotion of Convention No. 169
#  O19 Labour and decent work statistics
APPENDIX_ROW_COUNT = 32

DISTINCTIVE_PHRASES = [
    "Labour Migration Academy",
    "Portworker Development Programme",
    "Participatory Gender Audits",
    "Decent Work/Social Security Chairs",
    "My.COOP",
]

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

# Example field -> taxonomy section whose keys it may use.
CODED_FIELDS = {
    "modalities": "modalities",
    "capacity_levels": "capacity_levels",
    "target_groups": "target_groups",
}


@pytest.fixture(scope="module")
def approaches():
    with APPROACHES.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert data["framework"] == "ilo-spf-2010-15"
    return data["approaches"]


@pytest.fixture(scope="module")
def taxonomy():
    for path in (SHARED_TAXONOMY, FRAMEWORK):
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                return yaml.safe_load(fh)
    pytest.skip("no taxonomy file to check codes against")


def _codes(section):
    # The shared spec maps code -> description; tolerate a list of {code: ...} too.
    if isinstance(section, dict):
        return set(section)
    return {item["code"] if isinstance(item, dict) else item for item in section or []}


def test_every_outcome_has_an_approach(approaches):
    assert {a["outcome"] for a in approaches} == set(OUTCOMES)


def test_approaches_follow_the_appendix_order_of_outcomes(approaches):
    positions = [OUTCOMES.index(a["outcome"]) for a in approaches]
    assert positions == sorted(positions)


def test_codes_are_unique_snake_case(approaches):
    codes = [a["code"] for a in approaches]
    assert len(codes) == len(set(codes))
    assert all(SNAKE_CASE.match(code) for code in codes), codes


def test_each_approach_has_named_examples_with_text(approaches):
    for approach in approaches:
        assert approach["name"].strip(), approach["code"]
        assert approach["examples"], approach["code"]
        for example in approach["examples"]:
            assert isinstance(example["text"], str) and example["text"].strip()


def test_example_codes_are_taxonomy_keys(approaches, taxonomy):
    for field, section in CODED_FIELDS.items():
        allowed = _codes(taxonomy.get(section))
        assert allowed, f"taxonomy has no {section}"
        for approach in approaches:
            for example in approach["examples"]:
                used = example.get(field, [])
                assert isinstance(used, list), (approach["code"], field)
                assert len(used) == len(set(used)), (approach["code"], field, used)
                unknown = set(used) - allowed
                assert not unknown, (approach["code"], field, sorted(unknown))


def test_outcomes_are_taxonomy_outcomes(approaches, taxonomy):
    outcomes = _codes(taxonomy.get("outcomes"))
    if not outcomes:
        pytest.skip("taxonomy lists no outcomes")
    assert {a["outcome"] for a in approaches} <= outcomes


def test_every_appendix_row_is_transcribed(approaches):
    assert len(approaches) == APPENDIX_ROW_COUNT


@pytest.mark.parametrize("phrase", DISTINCTIVE_PHRASES)
def test_distinctive_phrases_appear_verbatim(approaches, phrase):
    texts = [e["text"] for a in approaches for e in a["examples"]]
    assert any(phrase in text for text in texts), phrase
