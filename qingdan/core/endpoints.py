"""The API side of catalogue actions: one POST endpoint per action, with its request
body (`action_serializer`) and its operation id `<app>_<action>` derived from the
catalogue entry, and the one way a viewset runs it.

A viewset that holds catalogue endpoints defines `run_action(request, spec)`: find
the subject, call `run` and render what the action returned. `CatalogueEndpoints`
does it for a viewset whose actions are ruled by a table of `Rule`s: its `outputs`
name its actions and what each answers, and `install_all` puts their endpoints on it.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import parsers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .catalogue import ActionSpec, Catalogue
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


class CatalogueEndpoints:
    """A viewset mixin: its catalogue actions (`outputs`: each action's name and the
    serializer of what it answers), checked against their rows (`rules`)."""

    outputs: dict[str, Any] = {}
    rules: dict[str, Rule] = {}

    def run_action(self, request, spec: ActionSpec):
        subject = self.get_object() if spec.on_subject else None  # type: ignore[attr-defined]
        result = run(request, spec, subject, rule=self.rules.get(spec.name))
        answer = status.HTTP_201_CREATED if spec.creates else status.HTTP_200_OK
        return Response(self.render(spec, result, subject), status=answer)

    def render(self, spec: ActionSpec, result, subject) -> Any:
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        return self.outputs[spec.name](result, context=context).data


def install_all(catalogue: Catalogue, viewsets) -> None:
    """Put each viewset's actions (its `outputs`) on it: on the list for an action that
    starts from its inputs, else on one object; 201 for one that creates."""
    for viewset in viewsets:
        for name, output in viewset.outputs.items():
            spec = catalogue[name]
            responses = {201 if spec.creates else 200: output}
            install(
                viewset, spec, catalogue.app, responses=responses, collection=not spec.on_subject
            )
