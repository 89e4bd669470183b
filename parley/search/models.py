"""No models: the index lives in the database itself (parley/search/index.py). This module makes
the app one with models, so Django sends it `post_migrate` (SearchConfig)."""
