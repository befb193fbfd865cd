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
# « : ; ? ! » after a word take a no-break space, not a plain one (« Lieu : », « Où en êtes-vous ? »)
PLAIN_SPACE_BEFORE = re.compile(r"(?<=\S) [:;?!](?=\s|$|<|\{)")
# what is not text a reader sees in a template: Jinja (a word, once rendered), HTML tags and comments, scripts and
# styles (a boundary)
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
MARKUP = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>", re.S)


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


def _template_hits(pattern=LAZY_PLURAL) -> list[str]:
    hits = []
    for path in sorted([*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt"),
                        *(ROOT / "static" / "js").rglob("*.js")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    return hits


def _python_hits(pattern=LAZY_PLURAL) -> list[str]:
    hits = []
    for path in sorted((ROOT / "network").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and pattern.search(node.value)):
                hits.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()[:100]}")
    return hits


def test_no_template_or_script_writes_a_lazy_plural():
    assert _template_hits() == []


def test_no_python_message_writes_a_lazy_plural():
    assert _python_hits() == []


def _template_text_hits() -> list[str]:
    """Plain spaces before high punctuation in what templates and scripts write, Jinja and markup aside."""
    hits = []
    for path in sorted([*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.txt")]):
        text = path.read_text(encoding="utf-8")
        text = JINJA.sub(lambda match: "x" + "\n" * match.group().count("\n"), text)
        text = MARKUP.sub(lambda match: " " + "\n" * match.group().count("\n"), text)
        for number, line in enumerate(text.splitlines(), 1):
            if PLAIN_SPACE_BEFORE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    return hits


def test_templates_put_a_no_break_space_before_high_punctuation():
    assert _template_text_hits() == []


def test_python_messages_put_a_no_break_space_before_high_punctuation():
    assert _python_hits(PLAIN_SPACE_BEFORE) == []


def test_scripts_put_a_no_break_space_before_high_punctuation():
    strings = re.compile(r"\"([^\"\\\n]*)\"|`([^`]*)`")
    hits = [f"{path.name}: {text}" for path in sorted((ROOT / "static" / "js").rglob("*.js"))
            for match in strings.finditer(path.read_text(encoding="utf-8"))
            for text in match.groups() if text and PLAIN_SPACE_BEFORE.search(re.sub(r"\$\{[^}]*\}", "x", text))]
    assert hits == []


def test_signing_in_greets_once_with_bonjour(client, coordinator):
    client.post("/connexion", data={"email": coordinator.email, "password": factories.TEST_PASSWORD})
    page = client.get("/").get_data(as_text=True)

    assert f"Bonjour {coordinator.first_name}" in page and "Bienvenue" not in page
