"""`tcmap serve`: the web app on this machine (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import os
import secrets

import typer

from tcmap.cli.common import console, state


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host",
                                 help="Address to listen on; 0.0.0.0 opens it to the network."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
        workers: int = typer.Option(
            1, "--workers", min=1, max=64,
            help="Server processes. Pages are CPU-bound Python: give one per core for many "
            "people at once (each process keeps its own page memo)."),
    ) -> None:
        """Serve the web app: browse, review and write up the mapping."""
        try:
            import uvicorn

            from tcmap.web import create_app
            from tcmap.web.serving import PROTOCOL
        except ImportError:
            from tcmap.errors import ConfigError

            raise ConfigError("The web app's packages are not installed.",
                              hint="pip install 'tcmap[web]'") from None
        st = state(ctx)
        store = st.store()  # opened here so that the schema is migrated once, before forking
        console.print(f"tcmap on [bold]http://{host}:{port}/[/] (database {store.url}, "
                      f"{workers} process{'es' if workers > 1 else ''}); Ctrl+C stops it.")
        if workers == 1:
            uvicorn.run(create_app(st.settings, store), host=host, port=port,
                        log_level="warning", http=PROTOCOL)
            return
        # Worker processes build the app from the environment: hand them every setting, and
        # one secret key so that a session signed by one process is valid in the others.
        settings = st.settings.as_dict()
        settings["secret_key"] = settings.get("secret_key") or secrets.token_urlsafe(32)
        for name, value in settings.items():
            if value is not None:
                os.environ[f"TCMAP_{name.upper()}"] = str(value)
        uvicorn.run("tcmap.web:app_from_environment", factory=True, host=host, port=port,
                    workers=workers, log_level="warning", http=PROTOCOL)
