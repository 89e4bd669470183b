"""Avatars: a picture is redrawn (first frame, upright, square, 256 px, no metadata) and stored
under a new name; what is not a picture, a decompression bomb or a huge file is refused."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parley.accounts.avatars import AVATAR_SIZE, avatar_clear, avatar_set
from parley.accounts.models import Profile
from parley.core.errors import InvalidInput, TooLarge

pytestmark = pytest.mark.django_db(transaction=True)

GPS_IFD = 0x8825


def jpeg_with_gps(size=(640, 480), orientation=None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif.get_ifd(GPS_IFD)[2] = (48.0, 51.0, 24.0)  # GPSLatitude
    exif.get_ifd(GPS_IFD)[1] = "N"
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="me.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stored(ada) -> Image.Image:
    profile = Profile.objects.get(user=ada)
    with profile.avatar.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def png_declaring(width: int, height: int) -> bytes:
    """A valid-looking PNG header that declares `width` by `height` pixels: a few dozen bytes that
    would unpack to gigabytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_photo_is_stored_square_resized_and_without_its_exif(ada):
    data = jpeg_with_gps()
    assert b"SpyCam" in data
    avatar_set(user=ada, upload=upload(data))
    image = stored(ada)
    assert image.format == "PNG"
    assert image.size == (AVATAR_SIZE, AVATAR_SIZE)
    assert not image.getexif()
    assert "exif" not in image.info
    with Profile.objects.get(user=ada).avatar.open("rb") as handle:
        raw = handle.read()
    assert b"SpyCam" not in raw
    assert b"Exif" not in raw


def test_a_photo_is_turned_upright_as_its_orientation_says(ada):
    # Orientation 6: the camera was turned; the picture is shown rotated 90°, so a wide one is
    # tall. A left half red and right half blue becomes top red, bottom blue.
    image = Image.new("RGB", (400, 400), (255, 0, 0))
    image.paste((0, 0, 255), (200, 0, 400, 400))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    avatar_set(user=ada, upload=upload(out.getvalue()))
    result = stored(ada).convert("RGB")
    top, bottom = result.getpixel((128, 10)), result.getpixel((128, 245))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_an_animated_gif_keeps_its_first_frame(ada):
    frames = [Image.new("RGB", (100, 100), colour) for colour in ((0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    avatar_set(user=ada, upload=upload(out.getvalue(), "me.gif"))
    image = stored(ada)
    assert getattr(image, "n_frames", 1) == 1
    red, green, blue = image.convert("RGB").getpixel((128, 128))
    assert green > 200 and blue < 60


def test_a_new_picture_gets_a_new_name_and_the_old_file_is_deleted(ada):
    avatar_set(user=ada, upload=upload(jpeg_with_gps()))
    first = Profile.objects.get(user=ada).avatar.name
    avatar_set(user=ada, upload=upload(jpeg_with_gps((300, 900))))
    second = Profile.objects.get(user=ada).avatar.name
    assert first != second
    assert not default_storage.exists(first)
    assert default_storage.exists(second)
    avatar_clear(user=ada)
    assert Profile.objects.get(user=ada).avatar.name == ""
    assert not default_storage.exists(second)


@pytest.mark.parametrize(
    "data",
    [
        b"not a picture at all",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"%PDF-1.4\n",
        b"\x89PNG\r\n\x1a\nbroken",
    ],
)
def test_a_file_that_is_not_a_picture_is_refused_and_changes_nothing(ada, data):
    with pytest.raises(InvalidInput, match="not a picture"):
        avatar_set(user=ada, upload=upload(data))
    assert not Profile.objects.filter(user=ada).exclude(avatar="").exists()


def test_a_decompression_bomb_is_refused_before_its_pixels_are_read(ada):
    bomb = png_declaring(100_000, 100_000)
    assert len(bomb) < 200
    with pytest.raises(TooLarge, match="too many pixels"):
        avatar_set(user=ada, upload=upload(bomb, "bomb.png"))


def test_a_picture_just_over_the_pixel_limit_is_refused(ada):
    with pytest.raises(TooLarge, match="too many pixels"):
        avatar_set(user=ada, upload=upload(png_declaring(9000, 9000), "big.png"))


def test_a_50_mb_file_is_refused_from_its_size_without_being_read(ada):
    class Huge(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read a file already known to be too large")

    huge = Huge("huge.jpg", b"", content_type="image/jpeg")
    huge.size = 50 * 1000 * 1000
    with pytest.raises(TooLarge, match="at most 10 MiB"):
        avatar_set(user=ada, upload=huge)


def test_a_file_larger_than_it_declared_is_refused_while_read(ada):
    lying = upload(b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024))
    lying.size = 1000
    with pytest.raises(TooLarge):
        avatar_set(user=ada, upload=lying)
