from enum import StrEnum


class ResourceKind(StrEnum):
    FILE = "file"
    LINK = "link"


class ResourceStatus(StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # sent by a guest speaker, waiting for a facilitator


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class FileType(StrEnum):
    """The accepted file types, by what the content is (libmagic), never by the name."""

    PDF = "application/pdf"
    ODP = "application/vnd.oasis.opendocument.presentation"
    PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ODT = "application/vnd.oasis.opendocument.text"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ODS = "application/vnd.oasis.opendocument.spreadsheet"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    PNG = "image/png"
    JPEG = "image/jpeg"

    @property
    def extension(self) -> str:
        return self.name.lower() if self is not FileType.JPEG else "jpg"

    @property
    def label(self) -> str:
        return FILE_TYPE_LABELS[self]

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


FILE_TYPE_LABELS = {
    FileType.PDF: "PDF", FileType.ODP: "Présentation (ODP)", FileType.PPTX: "Présentation (PPTX)",
    FileType.ODT: "Texte (ODT)", FileType.DOCX: "Texte (DOCX)", FileType.ODS: "Tableur (ODS)",
    FileType.XLSX: "Tableur (XLSX)", FileType.PNG: "Image (PNG)", FileType.JPEG: "Image (JPEG)",
}

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


class NewsFrequency(StrEnum):
    """How a member receives the network's news by email."""

    EACH = "each"
    WEEKLY = "weekly"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"each": "À chaque actualité", "weekly": "Un récapitulatif par semaine",
                "none": "Jamais (je les lis sur le site)"}[self.value]


DEFAULT_NEWS_FREQUENCY = NewsFrequency.WEEKLY
