"""National-scale materials and minutes (a NATIONAL_EXTENSIONS step of network/demo/national.py): about 2.5 files
or links per past meeting (~10,000) and minutes for half of them (~2,000), a few of them shared nationally.
The files are a dozen real PDFs, stored once each (content-addressed), as real slides sent twice would be."""

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy import insert, text

from network.calendar import to_paris
from network.codev.enums import Theme
from network.extensions import db
from network.resources import search
from network.resources.enums import FileType, MinutesStatus, ResourceKind, ResourceStatus
from network.resources.models import FileBlob, Minutes, MinutesVersion, Resource

CHUNK = 5_000
SUBJECTS = ["le schéma départemental des services aux familles", "les élus communautaires et la CTG",
            "l'accueil du jeune enfant en milieu rural", "l'accès aux droits et l'aller-vers",
            "les espaces de vie sociale", "la parentalité et les réseaux d'écoute", "le logement des jeunes",
            "l'inclusion des enfants en situation de handicap", "l'évaluation d'une convention territoriale",
            "les haltes-garderies itinérantes", "le pilotage partagé Caf-MSA", "la jeunesse et l'engagement"]
TITLES = ["Support de l'intervention", "Diaporama de présentation", "Relevé de décisions", "Fiche pratique",
          "Bilan chiffré", "Carte du territoire"]
LINKS = ["https://www.caf.fr/partenaires", "https://www.msa.fr/lfp/web/msa/partenaires",
         "https://www.data.gouv.fr/fr/datasets/"]


def _pdf(subject: str) -> bytes:
    # fpdf2 + fontTools: ~33 MB a worker, loaded by the first PDF, not at start
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.multi_cell(0, 8, text=f"Présentation au réseau : {subject}. Diagnostic, leviers et retours "
                                   f"d'expérience des chargés de coopération territoriale.")
    return bytes(document.output())


def _insert_ids(model, rows: list[dict]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        ids += db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True),
                                  rows[start:start + CHUNK]).all()
    return ids


def _index(model, ids: list[int], rows: list[dict]) -> None:
    if db.session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's GIN index follows the rows
    fts = search.PREFIX + model.__tablename__
    values = [{"id": row_id, "body": search.stems(row["search_text"])} for row_id, row in zip(ids, rows, strict=True)]
    for start in range(0, len(values), CHUNK):
        db.session.execute(text(f"INSERT INTO {fts} (rowid, body) VALUES (:id, :body)"), values[start:start + CHUNK])


def seed_national_resources(scale, *, rng: random.Random, today: date) -> dict[str, int]:
    blobs = [(subject, _pdf(subject)) for subject in SUBJECTS]
    blob_ids = _insert_ids(FileBlob, [{"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "content": data}
                                      for _, data in blobs])
    resource_rows, minutes_rows = [], []
    for index, (meeting_id, network_id, starts_at) in enumerate(scale.past_meetings):
        facilitators = scale.facilitators_by_network[network_id]
        year = to_paris(starts_at).year
        for number in range(2 + (index % 2)):  # 2 or 3 per meeting: ~10,000 for ~3,900 meetings
            slot = rng.randrange(len(SUBJECTS))
            subject, data = blobs[slot]
            title = f"{rng.choice(TITLES)} — {subject}"
            is_link = number == 2 and index % 4 == 1
            shared = rng.random() < 0.02
            resource_rows.append({
                "network_id": network_id, "meeting_id": meeting_id, "agenda_item_id": None, "topic_id": None,
                "kind": ResourceKind.LINK if is_link else ResourceKind.FILE, "status": ResourceStatus.PUBLISHED,
                "title": title, "description": None, "url": rng.choice(LINKS) if is_link else None,
                "blob_id": None if is_link else blob_ids[slot], "filename": None if is_link else f"support-{slot}.pdf",
                "media_type": None if is_link else FileType.PDF.value, "size": None if is_link else len(data),
                "uploaded_by_id": facilitators[0], "uploader_name": None, "year": year,
                "search_text": search.search_document(title, None if is_link else _pdf_text(subject)),
                "shared_at": starts_at + timedelta(days=10) if shared else None,
                "shared_theme": rng.choice(list(Theme)).value if shared else None,
                "created_at": starts_at + timedelta(days=2)})
        if index % 2 == 0:
            subject = SUBJECTS[index % len(SUBJECTS)]
            body = (f"## Décisions\n\n- Présentation sur {subject}.\n- Prochain thème retenu par le vote.\n\n"
                    f"## Ce qui a été présenté\n\nLes échanges ont porté sur {subject}.")
            minutes_rows.append({
                "meeting_id": meeting_id, "network_id": network_id, "topic_id": None,
                "status": MinutesStatus.PUBLISHED, "summary": f"Rencontre consacrée à {subject}.", "body": body,
                "version": 1, "year": year, "author_id": facilitators[0], "published_at": starts_at + timedelta(days=5),
                "edited_at": None, "search_text": search.search_document(f"Compte rendu {subject}", body),
                "created_at": starts_at + timedelta(days=3)})
    resource_ids = _insert_ids(Resource, resource_rows)
    _index(Resource, resource_ids, resource_rows)
    minutes_ids = _insert_ids(Minutes, minutes_rows)
    _index(Minutes, minutes_ids, minutes_rows)
    versions = [{"minutes_id": minutes_id, "version": 1, "summary": row["summary"], "body": row["body"],
                 "author_id": row["author_id"], "created_at": row["published_at"]}
                for minutes_id, row in zip(minutes_ids, minutes_rows, strict=True)]
    for start in range(0, len(versions), CHUNK):
        db.session.execute(insert(MinutesVersion), versions[start:start + CHUNK])
    return {"resources": len(resource_rows), "minutes": len(minutes_rows), "file_blobs": len(blob_ids)}


def _pdf_text(subject: str) -> str:
    return (f"Présentation au réseau : {subject}. Diagnostic, leviers et retours d'expérience des chargés de "
            f"coopération territoriale.")
