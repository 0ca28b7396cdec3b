"""`headlines serve`: the Slack app on this machine, over HTTP (`--port`) or Socket Mode, with its worker.

HTTP is served by `headlines.slack.server` (a thread per connection, a body cap, timeouts, signatures
checked before parsing). Slow work runs on a small in-process pool (`--workers`), so one slow URL does
not delay everyone's answers; a scheduler thread queues digests when they are due.
"""

from __future__ import annotations

import logging
import threading
from typing import Annotated

import typer
from rich.console import Console

err_console = Console(stderr=True)
DIGEST_POLL_SECONDS = 60


def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="HTTP port; Slack posts to /slack/events")] = 3000,
    socket_mode: Annotated[
        bool, typer.Option("--socket-mode", help="Connect out to Slack with SLACK_APP_TOKEN instead of listening")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Jobs run at once (ask, summarize, digests)")] = 4,
) -> None:
    """Run the Slack app locally: `/headlines`, @mentions, DMs, story posts and digests.

    Needs SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode).
    """
    from headlines.container import SlackConfigError, build_slack_client, build_store, build_worker_deps
    from headlines.dispatch import run_job
    from headlines.job_queue import InProcessQueue
    from headlines.settings import get_settings
    from headlines.slack.app import create_app
    from headlines.slack.digest import queue_due_digests

    logging.basicConfig(level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    try:
        if socket_mode and settings.slack_app_token is None:
            raise SlackConfigError(
                "Socket Mode needs an app-level token: set SLACK_APP_TOKEN (xapp-..., scope connections:write)"
            )
        store = build_store(settings)
        client = build_slack_client(settings)
        deps = build_worker_deps(settings, store=store, client=client)
        queue = InProcessQueue(lambda job: run_job(job, deps), workers=workers)
        app = create_app(settings, store, client, queue, socket_mode=socket_mode)
    except SlackConfigError as exc:
        from headlines.errors import cli_exit

        line, code = cli_exit(exc)
        err_console.print(line, markup=False, highlight=False)
        raise typer.Exit(code) from exc

    stop = threading.Event()

    def schedule_digests() -> None:
        while not stop.wait(DIGEST_POLL_SECONDS):
            try:
                queue_due_digests(store, queue)
            except Exception:  # keep serving; the next poll tries again
                logging.getLogger(__name__).exception("digest scheduling failed")

    threading.Thread(target=schedule_digests, name="headlines-digests", daemon=True).start()
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            assert settings.slack_app_token is not None
            SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
        else:
            from headlines.slack.server import SlackHTTPServer

            assert settings.slack_signing_secret is not None  # create_app refuses to build without it
            server = SlackHTTPServer(("0.0.0.0", port), app, signing_secret=settings.slack_signing_secret.get_secret_value())
            err_console.print(f"Headlines Slack app on http://localhost:{port}/slack/events")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
            finally:
                server.server_close()
    finally:
        stop.set()
        queue.close()
        store.close()
