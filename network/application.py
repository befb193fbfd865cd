"""The Flask application class: Flask's, with two costs of every request taken out of its frame.

- **Template globals as one dict.** Jinja gives each template its globals as a `ChainMap` over the environment's,
  so that a global added after the template is loaded still shows. Each `{% from "_macros.html" import … %}` then
  compares the two sets of names, one Python-level `ChainMap` lookup per name (about 25 names, twice on a meeting
  page). The app adds every global while `create_app` runs, before any template is loaded, as Jinja's documentation
  asks ("avoid modifying any globals after a template is loaded"), so a plain dict holds the same names at the same
  values.
- **Whether a hook is a coroutine, asked once.** Flask asks `inspect.iscoroutinefunction` of every hook, context
  processor and view on every request (16 times for a meeting page). A function found synchronous is remembered in a
  weak set: a function made for one request (`after_this_request`) is forgotten with it. A coroutine function is
  wrapped by Flask, every time, as before.

Together, 4.5 % of a past meeting page's instructions and 6.7 % of an upcoming one's (README, fifteenth pass)."""

from contextlib import suppress
from weakref import WeakSet

from flask import Flask
from flask.templating import Environment


class TemplateEnvironment(Environment):
    def make_globals(self, d):
        """The environment's globals overlaid with the template's own, copied into one dict."""
        return {**self.globals, **(d or {})}


class Application(Flask):
    jinja_environment = TemplateEnvironment

    def __init__(self, *args, **kwargs):
        self._synchronous = WeakSet()
        super().__init__(*args, **kwargs)

    def ensure_sync(self, func):
        if func in self._synchronous:
            return func
        ensured = super().ensure_sync(func)
        if ensured is func:
            with suppress(TypeError):  # not weakly referenceable (a builtin): asked again next time, as Flask does
                self._synchronous.add(func)
        return ensured
