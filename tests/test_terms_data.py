"""The term lists (terms/*.yaml): complete per taxonomy code and language; they match as meant."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tcmap.classify.lexicon import LANGS, fold, load_lexicon

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK_DIR = ROOT / "src/tcmap/taxonomy/data/ilo-spf-2010-15"
TERMS = FRAMEWORK_DIR / "terms"
FRAMEWORK = yaml.safe_load((FRAMEWORK_DIR / "framework.yaml").read_text(encoding="utf-8"))

SIGNALS = {"wow", "not_wow", "capdev", "delivery", "humanitarian", "strengthen"}
EXPECTED = {
    "outcomes": set(FRAMEWORK["outcomes"]),
    "modalities": set(FRAMEWORK["modalities"]),
    "capacity_levels": set(FRAMEWORK["capacity_levels"]),
    "target_groups": set(FRAMEWORK["target_groups"]),
    "signals": SIGNALS,
}
ALLOWED_KEYS = {*LANGS, "any", "not", "broad"}


def _file(dimension: str) -> dict:
    return yaml.safe_load((TERMS / f"{dimension}.yaml").read_text(encoding="utf-8"))


def _lists(by_lang: dict):
    """(tier, language, phrases) of a code: its own lists, then its broad ones."""
    for lang, phrases in by_lang.items():
        if lang == "broad":
            for blang, bphrases in phrases.items():
                yield "broad", blang, bphrases
        else:
            yield "core", lang, phrases


def test_one_file_per_dimension():
    assert {p.stem for p in TERMS.glob("*.yaml")} == set(EXPECTED)


def test_framework_has_the_expected_codes():
    assert EXPECTED["outcomes"] == {f"O{i}" for i in range(1, 20)}
    assert len(EXPECTED["modalities"]) == 20
    assert EXPECTED["capacity_levels"] == {"individual", "organizational", "enabling_environment"}
    assert len(EXPECTED["target_groups"]) == 8


@pytest.mark.parametrize("dimension", sorted(EXPECTED))
def test_codes_match_the_taxonomy(dimension):
    data = _file(dimension)
    assert data["dimension"] == dimension
    assert set(data["terms"]) == EXPECTED[dimension]


@pytest.mark.parametrize("dimension", sorted(EXPECTED))
def test_every_code_has_english_french_and_spanish_terms(dimension):
    for code, by_lang in _file(dimension)["terms"].items():
        assert set(by_lang) <= ALLOWED_KEYS, (code, set(by_lang) - ALLOWED_KEYS)
        for lang in LANGS:
            assert by_lang.get(lang), f"{dimension}/{code} has no {lang} terms"


@pytest.mark.parametrize("dimension", sorted(EXPECTED))
def test_broad_cues_are_lists_per_language(dimension):
    for code, by_lang in _file(dimension)["terms"].items():
        broad = by_lang.get("broad", {})
        assert set(broad) <= {*LANGS, "any"}, (code, set(broad))
        for lang, phrases in broad.items():
            assert isinstance(phrases, list) and phrases, (code, lang)
            own = {fold(p) for p in by_lang.get(lang, [])}
            assert not own & {fold(p) for p in phrases}, f"{code}/{lang}: both core and broad"


@pytest.mark.parametrize("dimension", sorted(EXPECTED))
def test_phrases_are_well_formed(dimension):
    for code, by_lang in _file(dimension)["terms"].items():
        for _tier, lang, phrases in _lists(by_lang):
            seen = set()
            for phrase in phrases:
                assert isinstance(phrase, str) and phrase, (code, phrase)
                assert phrase == phrase.strip(), (code, phrase)
                assert "  " not in phrase, (code, phrase)
                # only the last word may run on: a '*' anywhere else would be matched literally
                assert "*" not in phrase[:-1], (code, phrase)
                assert phrase.rstrip("*") and phrase[0] != "*", (code, phrase)
                key = fold(phrase)
                assert key not in seen, f"{dimension}/{code}/{_tier}/{lang}: duplicate {phrase!r}"
                seen.add(key)


@pytest.mark.parametrize("dimension", sorted(EXPECTED))
def test_each_file_loads_on_its_own(dimension, tmp_path):
    shutil.copy(TERMS / f"{dimension}.yaml", tmp_path)
    lexicon = load_lexicon(tmp_path)
    assert lexicon.size > 100


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(TERMS)


def _codes(lexicon, text: str, lang: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for hit in lexicon.match(text, lang):
        found[hit.dimension].add(hit.code)
    return found


def test_the_folder_loads(lexicon):
    total = sum(
        len(phrases)
        for dim in EXPECTED
        for by_lang in _file(dim)["terms"].values()
        for _tier, _lang, phrases in _lists(by_lang)
    )
    assert lexicon.size == total


def test_levels_and_groups_name_the_modalities_that_imply_them(lexicon):
    assert set(lexicon.implied) == {"capacity_levels", "target_groups"}
    assert set(lexicon.implied["capacity_levels"]) == EXPECTED["capacity_levels"]
    for dim, table in lexicon.implied.items():
        assert set(table) <= EXPECTED[dim], dim
        for code, modalities in table.items():
            assert modalities and set(modalities) <= EXPECTED["modalities"], (dim, code)
    assert "training" in lexicon.implied["capacity_levels"]["individual"]
    assert "policy_advice" in lexicon.implied["capacity_levels"]["enabling_environment"]
    assert "institution_building" in lexicon.implied["capacity_levels"]["organizational"]


def test_broad_cues_are_marked_and_named_codes_are_not(lexicon):
    hits = {(h.code, h.term): h.broad for h in lexicon.match(
        "We provide training of trainers and access to services", "en")
        if h.dimension == "modalities"}
    assert hits[("training_of_trainers", "training of trainers")] is False
    assert hits[("direct_action", "provide")] is True
    assert hits[("direct_action", "access to")] is True


SPOT_CHECKS = [
    ("fr", "Formation de 40 inspecteurs du travail",
     {"modalities": {"training"}, "target_groups": {"government"}, "outcomes": {"O11"}}),
    ("es", "Capacitación de formadores del programa SIYB",
     {"modalities": {"training_of_trainers"}, "outcomes": {"O3"}}),
    ("en", "distribution of food and hygiene kits", {"signals": {"delivery", "not_wow"}}),
    ("en", "Training of labour inspectors and a new labour code",
     {"modalities": {"training", "legal_framework"}, "outcomes": {"O11"},
      "target_groups": {"government"}, "signals": {"wow", "capdev"}}),
    ("en", "Cash transfers to vulnerable households through the social protection system",
     {"outcomes": {"O4"}, "signals": {"delivery", "wow"}}),
    ("es", "Transferencias monetarias y seguridad social para trabajadoras del hogar",
     {"outcomes": {"O4", "O5"}}),
    ("fr", "Transferts monétaires et filets sociaux pour les ménages", {"outcomes": {"O4"}}),
    ("en", "Livelihoods and income generation for refugees",
     {"outcomes": {"O1"}, "signals": {"wow", "humanitarian"}}),
    ("en", "Technical and vocational education and training (TVET) to improve employability",
     {"outcomes": {"O2"}, "signals": {"wow"}}),
    ("fr", "Renforcement des capacités de la confédération syndicale et du patronat",
     {"outcomes": {"O9", "O10"}, "target_groups": {"employers_org", "workers_org"},
      "signals": {"capdev"}}),
    ("es", "Fortalecimiento del diálogo social tripartito y de la negociación colectiva",
     {"outcomes": {"O12", "O14"}, "modalities": {"dialogue_mechanism"}}),
    ("en", "National action plan on child labour and a study tour for parliamentarians",
     {"outcomes": {"O16"}, "modalities": {"policy_advice", "study_visit"},
      "target_groups": {"justice_legislature_media"}, "capacity_levels": {"enabling_environment"}}),
    ("es", "Lucha contra el trabajo forzoso y ratificación de los convenios de la OIT",
     {"outcomes": {"O15", "O18"}, "modalities": {"legal_framework"}}),
    ("fr", "Enquête sur la main-d’œuvre et programme par pays de promotion du travail décent",
     {"outcomes": {"O19"}, "modalities": {"data_systems"}}),
    ("en", "Better Work in garment factories: occupational safety and health committees",
     {"outcomes": {"O13", "O6"}}),
    ("en", "Online course and training of trainers for SME advisers",
     {"modalities": {"e_learning", "training_of_trainers"}, "outcomes": {"O3"}}),
    ("es", "Vacunación y atención en hospitales para la población desplazada",
     {"signals": {"not_wow", "humanitarian"}}),
    ("en", "Women's economic empowerment and equal pay in the workplace", {"outcomes": {"O17"}}),
    ("en", "HIV/AIDS workplace policies for transport workers", {"outcomes": {"O8"}}),
    ("fr", "Protection des travailleurs migrants et recrutement équitable", {"outcomes": {"O7"}}),
]


@pytest.mark.parametrize(("lang", "text", "expected"), SPOT_CHECKS,
                         ids=[t[:40] for _, t, _ in SPOT_CHECKS])
def test_spot_checks(lexicon, lang, text, expected):
    found = _codes(lexicon, text, lang)
    for dimension, codes in expected.items():
        assert codes <= found[dimension], (dimension, codes - found[dimension], dict(found))


# Phrases a general list must not read as cues (a `not` phrase blocks them, or no list has them).
ABSENT = [
    ("en", "Cooperative agreement with the grantee", "outcomes", "O3"),
    ("en", "Cooperative agreement with the grantee", "target_groups", "enterprises"),
    ("en", "In the course of the year the clinic reopened", "modalities", "training"),
    ("en", "Funded by the European Union", "target_groups", "workers_org"),
    ("en", "Savings and loans through credit unions", "outcomes", "O10"),
    ("es", "En el curso de la emergencia se distribuyeron alimentos", "modalities", "training"),
    ("fr", "Au cours de l'année, en cours de mise en oeuvre", "modalities", "training"),
    ("en", "HIV testing and treatment in clinics", "outcomes", "O8"),
    ("en", "Prevention of human trafficking and gender-based violence", "outcomes", "O15"),
    ("en", "A multi-sectoral humanitarian response", "outcomes", "O13"),
    ("en", "Formation of community groups", "modalities", "training"),
    # "formés" (trained) and "formes" (forms) fold alike: forms are not training
    ("fr", "Toutes les formes de violence contre les femmes", "modalities", "training"),
    ("fr", "Toutes les formes de violence contre les femmes", "capacity_levels", "individual"),
]


@pytest.mark.parametrize(("lang", "text", "dimension", "code"), ABSENT,
                         ids=[f"{t[:30]}-{c}" for _, t, _, c in ABSENT])
def test_traps_do_not_match(lexicon, lang, text, dimension, code):
    assert code not in _codes(lexicon, text, lang)[dimension]


def test_not_phrases_block_only_what_they_overlap(lexicon):
    text = "A cooperative agreement funds support to women's cooperatives"
    hits = [h for h in lexicon.match(text, "en") if h.code == "O3"]
    assert [text[h.start:h.end] for h in hits] == ["cooperatives"]
