"""The storage switch: a local folder by default, a private S3 bucket when configured."""

from django.core.files.storage import storages

from config.settings import base


def test_uploads_go_to_the_local_folder_by_default(monkeypatch):
    monkeypatch.delenv("PARLEY_S3_BUCKET", raising=False)
    assert base.file_storage_from_env()["BACKEND"].endswith("FileSystemStorage")


def test_a_bucket_switches_uploads_to_private_s3(monkeypatch, settings):
    monkeypatch.setenv("PARLEY_S3_BUCKET", "parley-files")
    monkeypatch.setenv("PARLEY_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    config = base.file_storage_from_env()
    settings.STORAGES = {**settings.STORAGES, "default": config}
    storage = storages.create_storage(config)
    assert type(storage).__name__ == "S3Storage"
    assert storage.bucket_name == "parley-files"
    assert storage.default_acl == "private" and storage.querystring_auth
    assert not storage.file_overwrite
