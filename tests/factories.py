import uuid

import factory
from django.contrib.auth import get_user_model

from parley.rooms import services


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "s3cret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_room(owner=None, *, slug=None, name=None, visibility="public", staff_only=False):
    """A room made through the service: the owner is its member and seq 1 is their join."""
    owner = owner or UserFactory()
    slug = slug or f"room-{uuid.uuid4().hex[:12]}"
    return services.room_create(
        owner=owner,
        name=name or slug.title(),
        slug=slug,
        visibility=visibility,
        staff_only=staff_only,
    )
