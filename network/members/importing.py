"""Member list import from CSV: UTF-8 (with or without BOM), UTF-16 (with its BOM, Excel's "Unicode text"), or the
';'-separated cp1252 files French Excel writes. Anything else (binary, a cell over 128 KiB, broken quoting) is
answered with a French error about the file, never a crash.

Parsing never writes: it returns a preview with a per-line error report, and the
import creates only the lines that passed.
"""

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from network.extensions import db
from network.members.enums import Role
from network.members.models import Institution, Member, Network, Territory
from network.members.services import MemberData, create_member, normalize_email
from network.text import FIRST_DATE, LAST_DATE, one_line

HEADER_ALIASES = {
    "nom": "last_name", "nomdefamille": "last_name",
    "prenom": "first_name",
    "email": "email", "mail": "email", "courriel": "email", "adresseemail": "email", "adressemail": "email",
    "adressecourriel": "email",
    "telephone": "phone", "tel": "phone", "portable": "phone",
    "fonction": "job_title", "poste": "job_title", "intitule": "job_title",
    "institution": "institution", "employeur": "institution", "structure": "institution",
    "territoire": "territory", "epci": "territory",
    "operateurassocie": "associated", "operateur": "associated",
    "dateentree": "joined_on", "entree": "joined_on", "datedentree": "joined_on",
}
REQUIRED_COLUMNS = {"last_name": "nom", "first_name": "prénom", "email": "e-mail"}
TRUE_WORDS = {"oui", "o", "yes", "y", "1", "x", "vrai", "true"}
FALSE_WORDS = {"", "non", "n", "no", "0", "faux", "false"}
MAX_ROWS = 2000


def _normalize_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", text)


MAX_CELL = 128 * 1024  # the csv module's own field limit, named here so the message can say it
UNREADABLE = ("Le fichier n'est pas un fichier CSV lisible (texte en UTF-8, UTF-16 ou Windows-1252) : "
              "enregistrez-le depuis votre tableur au format « CSV ».")
_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UnreadableFile(ValueError):
    """The bytes are not a CSV text we can read; the message is the French per-file error."""


def decode_csv(raw: bytes) -> str:
    """UTF-16 with a BOM, else UTF-8 (BOM or not), else cp1252; control characters mean a binary file."""
    try:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = raw.decode("utf-16")
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")  # strict: its five undefined bytes betray a binary file
    except UnicodeDecodeError:
        raise UnreadableFile(UNREADABLE) from None
    if _BINARY.search(text):
        raise UnreadableFile(UNREADABLE)
    return text


def _read_rows(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        return list(reader)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise UnreadableFile(f"Une cellule du fichier dépasse {MAX_CELL // 1024} Kio (ligne {reader.line_num}) : "
                                 "vérifiez le fichier.") from None
        raise UnreadableFile(f"Le fichier CSV est mal formé à la ligne {reader.line_num} (guillemets ou "
                             "séparateurs) : enregistrez-le à nouveau depuis votre tableur au format « CSV ».") from None


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    data: MemberData | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.is_valid]


def _parse_date(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if FIRST_DATE <= parsed <= LAST_DATE:
            return parsed
    raise ValueError(text)


def parse_members_csv(raw: bytes, network: Network) -> ImportPreview:
    preview = ImportPreview()
    try:
        text = decode_csv(raw)
        first_line = text.splitlines()[0] if text.strip() else ""
        if not first_line:
            preview.file_errors.append("Le fichier est vide.")
            return preview
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        header, *rows = _read_rows(text, delimiter)
    except UnreadableFile as error:
        preview.file_errors.append(str(error))
        return preview
    columns = [HEADER_ALIASES.get(_normalize_header(name)) for name in header]
    missing = [label for key, label in REQUIRED_COLUMNS.items() if key not in columns]
    if missing:
        preview.file_errors.append(
            "Colonnes obligatoires absentes : " + ", ".join(missing)
            + ". La première ligne doit nommer les colonnes (nom ; prénom ; e-mail ; téléphone ; fonction ; "
            "institution ; territoire ; opérateur associé)."
        )
        return preview

    institutions = {i.name.lower(): i.id for i in db.session.scalars(select(Institution).where(Institution.network_id == network.id))}
    territories: dict[str, int] = {}
    for territory in db.session.scalars(select(Territory).where(Territory.network_id == network.id)):
        territories[territory.name.lower()] = territory.id
        if territory.siren:
            territories[territory.siren] = territory.id
    email_column = columns.index("email")
    filled = [cells for cells in rows if any(cell.strip() for cell in cells)][:MAX_ROWS]  # a bounded IN (...)
    file_emails = {normalize_email(cells[email_column]) for cells in filled if len(cells) > email_column}
    existing = set(db.session.scalars(select(Member.email).where(func.lower(Member.email).in_(file_emails))))
    seen: dict[str, int] = {}

    for line_number, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(preview.rows) >= MAX_ROWS:
            preview.file_errors.append(f"Le fichier dépasse {MAX_ROWS} lignes : découpez-le.")
            break
        values = {key: one_line(cells[index]) for index, key in enumerate(columns) if key and index < len(cells)}
        row = ImportRow(line=line_number, values=values)
        preview.rows.append(row)
        for key, label in REQUIRED_COLUMNS.items():
            if not values.get(key):
                row.errors.append(f"{label.capitalize()} manquant.")
        email = normalize_email(values.get("email", ""))
        if email:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                row.errors.append(f"Adresse e-mail invalide : « {values['email']} ».")
            else:
                if email in existing:
                    row.errors.append("Un compte existe déjà avec cette adresse e-mail.")
                elif email in seen:
                    row.errors.append(f"Adresse e-mail en double (déjà ligne {seen[email]}).")
                seen.setdefault(email, line_number)
        institution_id = territory_id = None
        if values.get("institution"):
            institution_id = institutions.get(values["institution"].lower())
            if institution_id is None:
                row.errors.append(f"Institution inconnue dans ce réseau : « {values['institution']} ».")
        if values.get("territory"):
            territory_id = territories.get(values["territory"].lower())
            if territory_id is None:
                row.errors.append(f"Territoire inconnu dans ce réseau : « {values['territory']} ».")
        associated_word = values.get("associated", "").lower()
        if associated_word not in TRUE_WORDS | FALSE_WORDS:
            row.errors.append(f"« Opérateur associé » doit valoir oui ou non, pas « {values['associated']} ».")
        joined_on = None
        if values.get("joined_on"):
            try:
                joined_on = _parse_date(values["joined_on"])
            except ValueError:
                row.errors.append(f"Date d'entrée invalide : « {values['joined_on']} » (attendu JJ/MM/AAAA).")
        for key, limit in (("last_name", 100), ("first_name", 100), ("phone", 30), ("job_title", 200)):
            if len(values.get(key, "")) > limit:
                row.errors.append(f"Valeur trop longue ({limit} caractères au maximum) : « {values[key][:30]}… ».")
        if row.errors:
            continue
        row.data = MemberData(
            first_name=values["first_name"], last_name=values["last_name"], email=email, role=Role.COORDINATOR,
            phone=values.get("phone") or None, job_title=values.get("job_title") or None,
            institution_id=institution_id, territory_id=territory_id,
            is_associated_operator=associated_word in TRUE_WORDS, joined_on=joined_on,
        )
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append("Le fichier ne contient aucune ligne de membre.")
    return preview


def import_members(*, actor, network: Network, preview: ImportPreview) -> list:
    """Create the valid lines of a preview; each new member gets the set-password email."""
    return [create_member(actor=actor, network=network, data=row.data) for row in preview.valid_rows]
