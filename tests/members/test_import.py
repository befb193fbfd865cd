"""CSV import: encodings, separators, per-line errors, preview writes nothing, confirm creates the valid rows."""

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from network.members.importing import parse_members_csv
from network.members.models import Member
from network.outbox import OutboxMessage
from tests import factories

HEADER_UTF8 = "Nom,Prénom,E-mail,Téléphone,Fonction,Institution,Territoire,Opérateur associé,Date d'entrée\r\n"


@pytest.fixture
def references(network):
    return (factories.create_institution(network, name="Caf du Pas-de-Calais"),
            factories.create_territory(network, name="CC des 7 Vallées", siren="200069037"))


def utf8_bom(*lines: str) -> bytes:
    return ("\ufeff" + HEADER_UTF8 + "".join(line + "\r\n" for line in lines)).encode("utf-8")


def excel_cp1252(*lines: str) -> bytes:
    header = "Nom;Prénom;Adresse e-mail;Téléphone;Fonction;Institution;Territoire;Opérateur associé\r\n"
    return (header + "".join(line + "\r\n" for line in lines)).encode("cp1252")


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- parsing -------------------------------------------------------------------------------------------

def test_parse_utf8_with_bom_and_commas(db, network, references):
    institution, territory = references
    preview = parse_members_csv(utf8_bom(
        'Lefèvre,Hélène,Helene.Lefevre@Example.org,03 21 00 00 00,"Chargée de coopération, CTG",'
        'caf du pas-de-calais,CC des 7 Vallées,oui,01/09/2025'), network)
    assert preview.file_errors == []
    [row] = preview.rows
    assert row.errors == []
    assert (row.line, row.data.last_name, row.data.first_name, row.data.email) == (
        2, "Lefèvre", "Hélène", "helene.lefevre@example.org")
    assert (row.data.job_title, row.data.institution_id, row.data.territory_id) == (
        "Chargée de coopération, CTG", institution.id, territory.id)
    assert (row.data.is_associated_operator, str(row.data.joined_on)) == (True, "2025-09-01")


def test_parse_excel_cp1252_semicolons_keeps_accents(db, network, references):
    _, territory = references
    preview = parse_members_csv(excel_cp1252(
        "Lefèvre;Hélène;helene.lefevre@example.org;;Chargée de mission;;200069037;non",
        "Œuvray;Maëlle;maelle@example.org;;;;;"), network)
    assert [row.errors for row in preview.rows] == [[], []]
    assert [(row.data.first_name, row.data.last_name) for row in preview.rows] == [
        ("Hélène", "Lefèvre"), ("Maëlle", "Œuvray")]
    assert preview.rows[0].data.territory_id == territory.id  # by SIREN
    assert preview.rows[0].data.is_associated_operator is False


def test_parse_reports_each_line_error_in_french(db, network, references):
    factories.create_member(network=factories.create_network(), email="deja@example.org")
    preview = parse_members_csv(excel_cp1252(
        "Dupont;Jean;;;;;;",                                   # 2 missing email
        "Durand;Anne;pas-une-adresse;;;;;",                    # 3 invalid email
        "Petit;Luc;luc@example.org;;;;;",                      # 4 valid
        "Petit;Lucas;LUC@example.org;;;;;",                    # 5 duplicate in file
        "Déjà;Là;deja@example.org;;;;;",                       # 6 existing account (another network)
        "Morel;Kévin;kevin@example.org;;;Caf du Tarn;;",       # 7 unknown institution
        "Fabre;Agnès;agnes@example.org;;;;CC Inconnue;",       # 8 unknown territory
        ";;;;;;;",                                             # blank line: skipped
        "Alric;Mathieu;mathieu@example.org;;;;;peut-être",     # 10 bad yes/no
    ), network)
    errors = {row.line: row.errors for row in preview.rows}
    assert errors == {
        2: ["E-mail manquant."],
        3: ["Adresse e-mail invalide : « pas-une-adresse »."],
        4: [],
        5: ["Adresse e-mail en double (déjà ligne 4)."],
        6: ["Un compte existe déjà avec cette adresse e-mail."],
        7: ["Institution inconnue dans ce réseau : « Caf du Tarn »."],
        8: ["Territoire inconnu dans ce réseau : « CC Inconnue »."],
        10: ["« Opérateur associé » doit valoir oui ou non, pas « peut-être »."],
    }
    assert [row.line for row in preview.valid_rows] == [4]


def test_parse_bad_date_and_missing_names(db, network):
    preview = parse_members_csv(utf8_bom(",,a@example.org,,,,,,31/02/2025"), network)
    assert preview.rows[0].errors == ["Nom manquant.", "Prénom manquant.",
                                      "Date d'entrée invalide : « 31/02/2025 » (attendu JJ/MM/AAAA)."]


@pytest.mark.parametrize("raw, message", [
    (b"", "Le fichier est vide."),
    ("Nom;Téléphone\r\nDupont;0321\r\n".encode("cp1252"), "Colonnes obligatoires absentes : prénom, e-mail."),
    ("Nom;Prénom;E-mail\r\n".encode("utf-8"), "Le fichier ne contient aucune ligne de membre."),
])
def test_parse_file_level_errors(db, network, raw, message):
    preview = parse_members_csv(raw, network)
    assert preview.rows == []
    assert preview.file_errors[0].startswith(message)


# --- views --------------------------------------------------------------------------------------------

def upload(client, raw: bytes, name="membres.csv", url="/membres/import"):
    return client.post(url, {"file": (io.BytesIO(raw), name)}, content_type="multipart/form-data")


MIXED = ("Lefèvre;Hélène;helene@example.org;;;Caf du Pas-de-Calais;;oui",
         "Durand;Anne;pas-une-adresse;;;;;",
         "Martin;Paul;paul@example.org;;;;CC des 7 Vallées;")


def test_import_preview_writes_nothing(client, login, network, facilitator, references, db):
    login(facilitator)
    response = upload(client, excel_cp1252(*MIXED))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>2</strong> lignes prêtes à importer, <strong>1</strong> ligne en erreur" in html
    assert "Lefèvre Hélène" in html and "Adresse e-mail invalide : « pas-une-adresse »." in html
    assert "Importer 2 membres" in html
    assert count(db, Member) == 1 and count(db, OutboxMessage) == 0


def test_import_confirm_creates_valid_rows_and_one_invitation_each(client, login, network, facilitator, references,
                                                                   db, smtp_server):
    login(facilitator)
    html = upload(client, excel_cp1252(*MIXED)).get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/membres/import/confirmer", {"payload": payload})
    assert response.status_code == 302 and response.location == "/membres"
    created = db.session.scalars(select(Member).where(Member.id != facilitator.id).order_by(Member.email)).all()
    assert [(m.email, m.first_name, m.network_id, m.role) for m in created] == [
        ("helene@example.org", "Hélène", network.id, "coordinator"),
        ("paul@example.org", "Paul", network.id, "coordinator")]
    assert sorted(db.session.scalars(select(OutboxMessage.recipients))) == ["helene@example.org", "paul@example.org"]
    assert "2 membres importés\u00a0; 1 ligne en erreur ignorée." in client.get("/membres").get_data(as_text=True)


def test_import_by_admin_in_network_scope(client, login, network, admin, db):
    login(admin)
    response = upload(client, utf8_bom("Lefèvre,Hélène,helene@example.org,,,,,,"),
                      url=f"/membres/import?reseau={network.slug}")
    assert "Importer 1 membre" in response.get_data(as_text=True)


def test_import_rejects_non_csv_file_in_french(client, login, network, facilitator, db):
    login(facilitator)
    html = upload(client, b"%PDF-1.4", name="membres.pdf").get_data(as_text=True)
    assert "Le fichier doit être au format CSV (.csv)." in html


def test_import_without_file_shows_required_error(client, login, network, facilitator, db):
    login(facilitator)
    html = client.post("/membres/import", {}).get_data(as_text=True)
    assert "Choisissez un fichier." in html


def test_import_confirm_with_garbled_payload_flashes_error(client, login, network, facilitator, db):
    login(facilitator)
    response = client.post("/membres/import/confirmer", {"payload": "***pas du base64***"}, follow_redirects=True)
    assert "Le fichier à importer est illisible : recommencez l&#39;import." in response.get_data(as_text=True)
    assert count(db, Member) == 1


def test_import_confirm_revalidates_the_file(client, login, network, facilitator, db):
    """A payload edited in the browser goes through the same checks: nothing invalid gets in."""
    login(facilitator)
    payload = base64.b64encode(excel_cp1252("Durand;Anne;pas-une-adresse;;;;;")).decode()
    client.post("/membres/import/confirmer", {"payload": payload})
    assert count(db, Member) == 1 and count(db, OutboxMessage) == 0
