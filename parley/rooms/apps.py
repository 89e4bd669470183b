from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "parley.rooms"
    label = "rooms"
    verbose_name = "Rooms and messages"
