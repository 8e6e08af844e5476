"""The web app: server-rendered pages over the same library functions as the CLI.

Every page is a function that builds one dict; the HTML page renders it with a template and
its JSON twin under /api returns it as it is. `create_app` wires settings, the store, the
templates, security and the one error handler.
"""

from tcmap.web.app import create_app


def app_from_environment():
    """The app for the TCMAP_* variables (each process of `tcmap serve --workers N`)."""
    from tcmap.config import Settings

    return create_app(Settings.load())


__all__ = ["app_from_environment", "create_app"]
