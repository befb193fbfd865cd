from enum import StrEnum

from network.enums import LabelledEnum


class ResourceKind(StrEnum):
    FILE = "file"
    LINK = "link"


class ResourceStatus(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # sent by a guest speaker, waiting for a facilitator


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class FileType(LabelledEnum):
    """The accepted file types, by what the content is (libmagic), never by the name."""

    PDF = "application/pdf", "PDF"
    ODP = "application/vnd.oasis.opendocument.presentation", "Présentation (ODP)"
    PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation", "Présentation (PPTX)"
    ODT = "application/vnd.oasis.opendocument.text", "Texte (ODT)"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Texte (DOCX)"
    ODS = "application/vnd.oasis.opendocument.spreadsheet", "Tableur (ODS)"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Tableur (XLSX)"
    PNG = "image/png", "Image (PNG)"
    JPEG = "image/jpeg", "Image (JPEG)"

    @property
    def extension(self) -> str:
        return self.name.lower() if self is not FileType.JPEG else "jpg"

    @property
    def family(self) -> str:
        return FILE_FAMILIES[self]

    @property
    def is_inline(self) -> bool:
        """Shown in the browser (PDF viewer, image); every other type is downloaded."""
        return self in (FileType.PDF, FileType.PNG, FileType.JPEG)

    @property
    def is_office(self) -> bool:
        return self not in (FileType.PDF, FileType.PNG, FileType.JPEG)


# The library's "type" filter: what a member looks for, not the format.
FAMILY_LABELS = {
    "pdf": "PDF", "presentation": "Présentations", "text": "Documents texte", "spreadsheet": "Tableurs",
    "image": "Images", "link": "Liens", "minutes": "Comptes rendus",
}
FILE_FAMILIES = {
    FileType.PDF: "pdf", FileType.ODP: "presentation", FileType.PPTX: "presentation", FileType.ODT: "text",
    FileType.DOCX: "text", FileType.ODS: "spreadsheet", FileType.XLSX: "spreadsheet", FileType.PNG: "image",
    FileType.JPEG: "image",
}


class NewsFrequency(LabelledEnum):
    """How a member receives the network's news by email."""

    EACH = "each", "À chaque actualité"
    WEEKLY = "weekly", "Un récapitulatif par semaine"
    NONE = "none", "Jamais (je les lis sur le site)"


DEFAULT_NEWS_FREQUENCY = NewsFrequency.WEEKLY
