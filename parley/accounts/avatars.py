"""A person's uploaded picture: checked, redrawn on the server, stored under a new name.

Nothing of the uploaded file is kept but its pixels: the first frame of an animation, turned
upright as its EXIF orientation says, cropped to the centre square, scaled to AVATAR_SIZE and
encoded afresh as PNG from a new image, so no metadata (GPS position, camera, comments) survives.
A file is refused before it is decoded when it is too large in bytes, and before its pixels are
read when it declares too many of them (a decompression bomb: a small file that unpacks to
gigabytes).
"""

from __future__ import annotations

import io
import warnings

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageOps

from parley.accounts.changes import ProfileChanged
from parley.accounts.models import Profile
from parley.core.changes import emit_on_commit
from parley.core.errors import InvalidInput, TooLarge
from parley.core.types import AuthUser

AVATAR_MAX_BYTES = 10 * 1024 * 1024
# Below Pillow's own limit (MAX_IMAGE_PIXELS, about 89 M); a phone photo has 12 to 50 M.
AVATAR_MAX_PIXELS = 64_000_000
AVATAR_SIZE = 256
FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
NOT_AN_IMAGE = "That file is not a picture Parley can read: send a PNG, JPEG, GIF or WebP."


def _read_capped(upload: UploadedFile) -> bytes:
    """The upload's bytes, refused (TooLarge) from its declared size before any is read, and
    again while reading should the size have been wrong."""
    if upload.size is not None and upload.size > AVATAR_MAX_BYTES:
        raise TooLarge(f"A picture is at most {AVATAR_MAX_BYTES // (1024 * 1024)} MiB.")
    upload.seek(0)
    data: bytes = upload.read(AVATAR_MAX_BYTES + 1)
    if len(data) > AVATAR_MAX_BYTES:
        raise TooLarge(f"A picture is at most {AVATAR_MAX_BYTES // (1024 * 1024)} MiB.")
    if not data:
        raise InvalidInput("The file is empty.")
    return data


def _open_checked(data: bytes) -> Image.Image:
    """The image, its header and structure checked, its pixels not yet decoded."""
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it: a bomb all the same.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise InvalidInput(NOT_AN_IMAGE)
            width, height = probe.size
            if width * height > AVATAR_MAX_PIXELS:
                raise TooLarge("That picture has too many pixels.")
            probe.verify()
            # verify() leaves the image unusable: open it again for its pixels.
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooLarge("That picture has too many pixels.") from None
        except (InvalidInput, TooLarge):
            raise
        # A damaged file fails in many ways (OSError, SyntaxError, struct.error, ValueError…).
        except Exception:
            raise InvalidInput(NOT_AN_IMAGE) from None
    return image


def avatar_render(data: bytes) -> bytes:
    """The avatar made from an uploaded picture's bytes: PNG, AVATAR_SIZE square, no metadata.
    InvalidInput when it is not a picture; TooLarge when it has too many pixels."""
    image = _open_checked(data)
    try:
        image.seek(0)  # an animation's first frame
        image = ImageOps.exif_transpose(image)
        image = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
        image = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge("That picture has too many pixels.") from None
    except Exception:
        raise InvalidInput(NOT_AN_IMAGE) from None
    # A new image of the pixels alone: nothing of the upload's `info` can follow it.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _delete_after_commit(name: str) -> None:
    if name:
        storage = Profile._meta.get_field("avatar").storage
        transaction.on_commit(lambda: storage.delete(name))


def avatar_set(*, user: AuthUser, upload: UploadedFile) -> Profile:
    """Make the user's avatar from `upload` (see the module's docstring) and store it under a new
    name; the old picture's file is deleted once this commits. TooLarge (over AVATAR_MAX_BYTES,
    or too many pixels) or InvalidInput (not a readable picture): nothing changes."""
    png = avatar_render(_read_capped(upload))
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        old = profile.avatar.name
        profile.avatar.save("avatar.png", ContentFile(png), save=False)
        profile.updated_at = timezone.now()
        profile.save(update_fields=["avatar", "updated_at"])
        _delete_after_commit(old)
        emit_on_commit(ProfileChanged(user_id=user.pk))
    user.profile = profile
    return profile


def avatar_clear(*, user: AuthUser) -> Profile:
    """Remove the user's picture (the generated initials show again); its file is deleted."""
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        old = profile.avatar.name
        if old:
            profile.avatar = ""
            profile.updated_at = timezone.now()
            profile.save(update_fields=["avatar", "updated_at"])
            _delete_after_commit(old)
            emit_on_commit(ProfileChanged(user_id=user.pk))
    user.profile = profile
    return profile


def avatar_url(profile: Profile | None) -> str | None:
    """Where the picture is served (parley/web/profile.py avatar_download), None when there is
    none. The file's name is new at each upload, so the URL may be cached for good."""
    if profile is None or not profile.avatar.name:
        return None
    return reverse("avatar", args=[profile.user_id, profile.avatar.name.rsplit("/", 1)[-1]])
