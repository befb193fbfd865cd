"""Template filters: French dates in Europe/Paris, numbers, percentages and plurals; the template globals every
page uses (the badge, the CSRF token, the roles)."""

from datetime import date, datetime
from functools import lru_cache

from babel import numbers
from flask_babel import format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_wtf.csrf import generate_csrf

from network.badges import badge
from network.members.enums import Role

# The UI is French only: flask_babel's locale selector answers this, and numbers are formatted with it directly
# (asking flask_babel for the locale at every number cost more than the formatting: ~25 µs, ~200 on the dashboard).
LOCALE = "fr"


@lru_cache(maxsize=4096)
def format_datetime(value: datetime, pattern: str) -> str:
    """Babel's French text of an instant in Paris time. The locale and the timezone are the app's constants (fr,
    Europe/Paris), so the text of an instant never changes: lists repeat the same dates, Babel takes ~70 µs each."""
    return babel_format_datetime(value, pattern)


# A pattern ending with the time of day: its date part goes to Babel, the time is written as french_clock writes it.
CLOCK_SUFFIXES = ("HH'h'mm", "H' h 'mm", "H 'h' mm")


def french_datetime(value: datetime | None, pattern: str = "EEEE d MMMM y 'à' HH'h'mm") -> str:
    """« mardi 8 septembre 2026 à 9 h 30 »: Babel's date, then the time in French typography (french_clock)."""
    if value is None:
        return ""
    for suffix in CLOCK_SUFFIXES:
        if pattern.endswith(suffix):
            return format_datetime(value, pattern[:-len(suffix)]) + french_clock(value)
    return format_datetime(value, pattern)


def french_date(value: date | datetime | None, pattern: str = "d MMMM y") -> str:
    if value is None:
        return ""
    return format_datetime(value, pattern) if isinstance(value, datetime) else format_date(value, pattern)


def french_time(value: datetime | None) -> str:
    """The time of day alone, as in running text: « 9 h 30 », « 16 h »."""
    return french_clock(value)


def french_clock(value: datetime | None) -> str:
    """French typography for a time in running text: « 9 h 30 », « 10 h » (no-break spaces), Paris time."""
    if value is None:
        return ""
    hour, minute = (int(part) for part in format_datetime(value, "H:mm").split(":"))
    return f"{hour}\u00a0h\u00a0{minute:02d}" if minute else f"{hour}\u00a0h"


def french_number(value, digits: int = 0) -> str:
    if value is None:
        return ""
    return _formatted(numbers.format_decimal, value, f"#,##0{'.' + '0' * digits if digits else ''}", LOCALE)


def french_percent(value, digits: int = 0) -> str:
    """0.873 → '87 %' (fr); None → 'n.d.' (not available)."""
    if value is None:
        return "n.d."
    pattern = f"#,##0{'.' + '0' * digits if digits else ''}\u00a0%"  # no-break space before the sign
    return _formatted(numbers.format_percent, value, pattern, LOCALE)


@lru_cache(maxsize=4096, typed=True)
def _formatted(format_number, value, pattern: str, locale: str | None) -> str:
    # Babel costs ~0.05 ms a number and an evaluation page shows hundreds of rates and counts, the same ones page
    # after page: a pure function of its arguments, remembered (typed: 1 and 1.0 are not the same key).
    return format_number(value, format=pattern, locale=locale)


def plural_word(count, singular: str, plural: str | None = None) -> str:
    """The form of a word or phrase that agrees with `count`: singular for 0, 1 (and −1…1), plural from 2 on, as in
    French (« 0 rencontre », « 1,5 point », « 2 rencontres »). `plural` defaults to `singular` + « s » for a single
    word; a phrase must spell its plural (« invitation envoyée » → « invitations envoyées »)."""
    if plural is None:
        if " " in singular.strip():
            raise ValueError(f"Spell the plural of the phrase {singular!r}")
        plural = singular if singular.endswith(("s", "x", "z")) else singular + "s"
    return singular if count is None or abs(count) < 2 else plural


def plural(count, singular: str, plural_form: str | None = None) -> str:
    """« 1 rencontre », « 20 invitations envoyées », « 1 234 membres »: the French number and the agreeing word."""
    number = french_number(count, 0 if float(count).is_integer() else 1)
    return f"{number} {plural_word(count, singular, plural_form)}"


def install_template_helpers(app) -> None:
    app.add_template_filter(french_datetime, "datetime_fr")
    app.add_template_filter(french_date, "date_fr")
    app.add_template_filter(french_time, "time_fr")
    app.add_template_filter(french_clock, "clock_fr")
    app.add_template_filter(french_number, "number_fr")
    app.add_template_filter(french_percent, "percent_fr")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(plural_word, "plural_word")
    app.jinja_env.globals.update(Role=Role, csrf_token=generate_csrf, badge=badge)
