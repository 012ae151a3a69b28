"""The API side of catalogue actions: one POST endpoint per action, with its request
body (`action_serializer`) and its operation id `<app>_<action>` derived from the
catalogue entry, and the one way a viewset runs it.

A viewset that holds catalogue endpoints defines `run_action(request, spec)`: find
the subject, call `run` and render what the action returned.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import parsers
from rest_framework.decorators import action

from .catalogue import ActionSpec
from .errors import NotAllowed
from .rules import Rule
from .serializers import action_serializer
from .versioning import expected_version


def run(request, spec: ActionSpec, subject=None, *, rule: Rule | None = None) -> Any:
    """Parse the body (objects it names are looked up among those the caller may name
    for this subject), then call the action; its result. With the action's `rule`,
    someone it leaves out is refused (403) before the body is read."""
    if rule is not None:
        user = request.user
        if not (rule.permits(user, subject) if spec.on_subject else rule.offers(user)):
            raise NotAllowed(rule.refused, field=rule.refused_field)
    params = action_serializer(spec)(
        data=request.data, context={"request": request, "subject": subject}
    )
    params.is_valid(raise_exception=True)
    inputs = dict(params.validated_data)
    version = expected_version(request, inputs) if spec.versioned else None
    return spec.call(request.user, subject, inputs, version)


def action_endpoint(spec: ActionSpec, app: str, *, responses: dict, collection: bool = False):
    """The viewset method of one action's endpoint: POST <object>/<path>/, or with
    `collection` POST on the list itself (the viewset's `create`: the action creates
    what the viewset lists, its subject among its inputs)."""
    params = action_serializer(spec)

    def handler(self, request, *args, **kwargs):
        return self.run_action(request, spec)

    schema = extend_schema(
        request={"multipart/form-data": params} if spec.multipart else params,
        responses=responses,
        operation_id=f"{app}_{spec.name}",
        summary=spec.label,
        description=spec.description or None,
    )
    if collection:
        handler.__name__ = "create"
        return schema(handler)
    handler.__name__ = spec.path.replace("-", "_")
    options: dict[str, Any] = {"serializer_class": params, "filter_backends": []}
    if spec.multipart:
        options["parser_classes"] = [parsers.MultiPartParser, parsers.FormParser]
    routed = action(detail=True, methods=["post"], url_path=spec.path, **options)(handler)
    # After action(): it replaces the function's kwargs, where the schema is kept.
    return schema(routed)


def install(viewset, spec: ActionSpec, app: str, *, responses: dict, collection=False) -> None:
    """Put the action's endpoint on the viewset (before the router reads it)."""
    name = "create" if collection else spec.path.replace("-", "_")
    setattr(viewset, name, action_endpoint(spec, app, responses=responses, collection=collection))
