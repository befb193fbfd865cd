"""Real files of each accepted type, made by the libraries that write them, and hostile ones."""

import base64
import io
import zipfile

from docx import Document
from fpdf import FPDF
from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet, OpenDocumentText
from odf.text import P
from openpyxl import Workbook
from pptx import Presentation

# A 1×1 transparent PNG and a 1×1 JPEG (written once with an image editor, kept as bytes).
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////"
    "////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=")


def pdf(text: str = "Les élus du territoire et la convention territoriale globale") -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.multi_cell(0, 10, text=text)
    return bytes(document.output())


def docx(text: str = "Compte rendu des élus") -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pptx(text: str = "Diaporama sur la parentalité") -> bytes:
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = text
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def xlsx(text: str = "Tableau des crèches") -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = text
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()



def odt(text: str = "Relevé de décisions du comité de pilotage") -> bytes:
    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def ods() -> bytes:
    buffer = io.BytesIO()
    OpenDocumentSpreadsheet().write(buffer)
    return buffer.getvalue()


def odp() -> bytes:
    buffer = io.BytesIO()
    OpenDocumentPresentation().write(buffer)
    return buffer.getvalue()


HTML_AS_PDF = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(document.cookie)</script></body></html>"
SVG_AS_PDF = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
              b'<script>alert(document.cookie)</script></svg>')


def pdf_html_polyglot() -> bytes:
    """A real PDF that also carries an HTML page: accepted as the PDF it is, never served as HTML."""
    return pdf("Support de la rencontre") + b"\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def zip_bomb_docx(uncompressed: int = 210 * 1024 * 1024) -> bytes:
    """A DOCX whose one extra part inflates to `uncompressed` bytes (zeros compress about 1000 to 1)."""
    base = zipfile.ZipFile(io.BytesIO(docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in base.infolist():
            archive.writestr(entry, base.read(entry))
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(uncompressed // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()
