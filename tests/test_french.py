"""French written carefully: one helper agrees words with their number, and no « (s) » plural survives anywhere a
user reads (templates, scripts, the strings of the Python code)."""

import ast
import re
from pathlib import Path

import pytest

from network.formatting import plural, plural_word
from tests import factories

ROOT = Path(__file__).resolve().parents[1]
LAZY_PLURAL = re.compile(r"\w\((?:s|es|x)\)|·e\(s\)", re.IGNORECASE)


@pytest.mark.parametrize(("count", "expected"), [
    (0, "0 rencontre"), (1, "1 rencontre"), (2, "2 rencontres"), (1234, "1\u202f234 rencontres"),
    (1.5, "1,5 rencontre"), (2.5, "2,5 rencontres"),
])
def test_plural_agrees_the_word_with_the_number(app, count, expected):
    with app.test_request_context():
        assert plural(count, "rencontre") == expected


def test_plural_of_a_phrase_uses_its_spelled_plural(app):
    with app.test_request_context():
        assert plural(20, "invitation envoyée", "invitations envoyées") == "20 invitations envoyées"
        assert plural(1, "invitation envoyée", "invitations envoyées") == "1 invitation envoyée"


def test_plural_word_keeps_words_ending_in_s_x_z():
    assert (plural_word(3, "réseau", "réseaux"), plural_word(3, "cas"), plural_word(3, "choix")) == (
        "réseaux", "cas", "choix")


def test_plural_word_refuses_a_phrase_without_its_plural():
    with pytest.raises(ValueError, match="Spell the plural"):
        plural_word(2, "point de trop")


def test_plural_filters_render_in_templates(app):
    with app.test_request_context():
        template = app.jinja_env.from_string(
            "{{ n|plural('point') }} · {{ n|plural_word('votant', 'votants') }} · {{ 1|plural('point') }}")
        assert template.render(n=2) == "2 points · votants · 1 point"


def _template_hits() -> list[str]:
    hits = []
    for path in sorted([*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt"),
                        *(ROOT / "static" / "js").rglob("*.js")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LAZY_PLURAL.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    return hits


def _python_hits() -> list[str]:
    hits = []
    for path in sorted((ROOT / "network").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and LAZY_PLURAL.search(node.value)):
                hits.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()[:100]}")
    return hits


def test_no_template_or_script_writes_a_lazy_plural():
    assert _template_hits() == []


def test_no_python_message_writes_a_lazy_plural():
    assert _python_hits() == []


def test_signing_in_greets_once_with_bonjour(client, coordinator):
    client.post("/connexion", data={"email": coordinator.email, "password": factories.TEST_PASSWORD})
    page = client.get("/").get_data(as_text=True)

    assert f"Bonjour {coordinator.first_name}" in page and "Bienvenue" not in page
