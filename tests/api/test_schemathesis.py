"""The API against its own OpenAPI document: schemathesis generates requests for every operation
of /api/v1/openapi.json (valid ones, and invalid ones from its coverage phase) and sends them to
the real Django application (WSGI, in process), signed in with a token.

Every answer must be no server error, have a status the document declares for the operation,
and a body of the declared schema and content type. Generation is derandomized with a bounded
number of examples, so a run is the same every time and takes seconds.

Half the cases name the room the user belongs to (`general`, with messages in it), so the
generated bodies and seqs reach the services' rules, not only the 404 of an unknown slug.
"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parley.rooms import services
from tests.api.conftest import token_of
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The document as the app serves it, read when the tests are collected: one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _connection_kept_open(db):
    """Django's WSGI handler closes the database connection at each request's end, which would
    end the test's transaction: as Django's test client does, that handler is off meanwhile."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    """ada's token, in `general` with bob and a few messages, one with a reply and a reaction."""
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    make_room(ada, slug="general")
    services.room_join_by_slug(user=bob, slug="general")
    for n in range(3):
        root = services.message_post(
            user=ada, room_slug="general", body=f"message {n}", client_id=uuid.uuid4().hex
        ).item
    services.message_post(
        user=bob, room_slug="general", body="reply", client_id="r", thread=root.seq
    )
    services.reaction_set(
        user=bob, room_slug="general", target=root.seq, emoji="👍", op="add", client_id="e"
    )
    return token_of(ada)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_declared_and_no_server_error(case, token):
    if "slug" in case.path_parameters and hash(repr(case.body)) % 2 == 0:
        case.path_parameters["slug"] = "general"
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.fixture
def workflow(token):
    """The API as a state machine (links between operations, inferred by schemathesis from the
    document: a message's `seq` to edit, react to and delete it, a room's slug to read it)."""

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    return Workflow


def test_sequences_of_calls_answer_as_declared(workflow):
    run_state_machine_as_test(
        workflow,
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
