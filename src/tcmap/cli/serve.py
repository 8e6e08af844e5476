"""`tcmap serve`: the web app on this machine (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import typer

from tcmap.cli.common import console, state


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host",
                                 help="Address to listen on; 0.0.0.0 opens it to the network."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
    ) -> None:
        """Serve the web app: browse, review and write up the mapping."""
        try:
            import uvicorn

            from tcmap.web import create_app
        except ImportError:
            from tcmap.errors import ConfigError

            raise ConfigError("The web app's packages are not installed.",
                              hint="pip install 'tcmap[web]'") from None
        st = state(ctx)
        application = create_app(st.settings, st.store())
        console.print(f"tcmap on [bold]http://{host}:{port}/[/] (database {st.store().url}); "
                      "Ctrl+C stops it.")
        uvicorn.run(application, host=host, port=port, log_level="warning")
