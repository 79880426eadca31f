"""Web endpoints on the worker: ``/health`` reports assignment and crashed agents, not just liveness."""

from __future__ import annotations

import faust
from faust.web import Request, Response, View


def register(app: faust.App) -> None:
    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            assigned = sorted(f"{tp.topic}:{tp.partition}" for tp in app.assignor.assigned_actives())
            crashed = [
                name for name, agent in app.agents.items()
                if any(actor.crash_reason is not None for actor in agent._actors)  # noqa: SLF001
            ]
            healthy = not crashed and app.consumer is not None
            body = {"healthy": healthy, "assigned": assigned, "crashed_agents": crashed, "app": app.conf.id}
            return self.json(body, status=200 if healthy else 503)
