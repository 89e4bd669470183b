from whitenoise.storage import CompressedManifestStaticFilesStorage


# whitenoise ships no type information (ignore_missing_imports): its class is Any to mypy.
class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Hashed, compressed static files, with ES module imports rewritten to hashed names too.

    Without it a browser could pair a new room.js with a cached old socket.js after a deploy.
    """

    support_js_module_import_aggregation = True
