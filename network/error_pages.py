"""French error pages; CSRF failures become a clear message, never a bare 400."""

from flask import current_app, flash, render_template, request
from flask_wtf.csrf import CSRFError

from network.extensions import db

MESSAGES = {
    400: ("Requête invalide", "La demande n'a pas pu être comprise. Revenez en arrière et réessayez."),
    403: ("Accès refusé", "Votre rôle ne permet pas d'accéder à cette page ou à cette action."),
    404: ("Page introuvable", "Cette page n'existe pas, ou plus. Vérifiez l'adresse ou revenez à l'accueil."),
    405: ("Action impossible", "Cette action n'est pas disponible de cette façon."),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée ({limit})."),
    429: ("Trop de demandes", "Trop de tentatives en peu de temps. Patientez quelques minutes."),
    500: ("Erreur du serveur", "Une erreur inattendue est survenue. L'équipe technique est prévenue ; "
                               "vos données enregistrées ne sont pas perdues."),
}


def _size_limit() -> str:
    megabytes = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024)
    return f"{megabytes:.0f} Mo" if megabytes >= 1 else f"{megabytes * 1024:.0f} ko"


def render_error(code: int):
    title, message = MESSAGES.get(code, MESSAGES[500])
    message = message.format(limit=_size_limit()) if code == 413 else message
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register_error_pages(app) -> None:
    for code in MESSAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda error, code=code: render_error(code))

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        flash("Le formulaire a expiré ou n'a pas pu être vérifié. Vos saisies n'ont pas été enregistrées : "
              "merci de recommencer.", "error")
        return render_template("errors/error.html", code=400, title="Formulaire expiré",
                               message="Pour votre sécurité, le formulaire doit être renvoyé depuis la page du site.",
                               back=request.referrer), 400
