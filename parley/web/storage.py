from whitenoise.storage import CompressedManifestStaticFilesStorage


# whitenoise ships no type information (ignore_missing_imports): its class is Any to mypy.
class StaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Hashed, compressed static files, with ES module imports rewritten to hashed names too.

    Without it a browser could pair a new room.js with a cached old socket.js after a deploy.
    """

    support_js_module_import_aggregation = True
    # Each pass rewrites one more level of the import chain (room.js → room_view.js → … →
    # avatar.js is six deep); Django's default of 5 stops short of the deepest modules.
    max_post_process_passes = 12
