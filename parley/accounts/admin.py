"""Users in the admin: Django's pages, with Parley's username rule on adding and renaming."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from parley.accounts.forms import AdminAddUserForm, AdminChangeUserForm
from parley.core.types import AuthUser

User = get_user_model()


class ParleyUserAdmin(UserAdmin[AuthUser]):
    add_form = AdminAddUserForm
    form = AdminChangeUserForm


admin.site.unregister(User)
admin.site.register(User, ParleyUserAdmin)
