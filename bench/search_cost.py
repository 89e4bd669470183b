"""What the search itself costs, in one process: `parley.search.service.search_messages` for the
`search` scenario's queries, as its search user, on an existing database, one after the other.

Beside the scenario's figures over HTTP, this leaves out what every request pays besides the
search (the framework, the session, and on PostgreSQL a new database connection per request):
the difference between the two is that overhead.

    python -m bench.search_cost --database-url sqlite:////tmp/x/parley.sqlite3   # prints JSON
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from bench.send_cost import configure

WARMUP = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.search_cost", description=__doc__)
    parser.add_argument("--database-url", required=True, help="a database the scenario loaded")
    parser.add_argument("--queries", type=int, default=200)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    configure(args.database_url)
    import django

    django.setup()

    from django.contrib.auth import get_user_model

    from bench.corpus import Text
    from bench.readers import summary
    from bench.seed_parley import username
    from parley.search.service import search_messages

    user = get_user_model().objects.get(username=username(0))
    queries = Text().queries(args.queries)
    for query in queries[:WARMUP]:
        search_messages(user=user, q=query["q"])
    samples, by_kind = [], defaultdict(list)
    for query in queries:
        began = time.perf_counter()
        search_messages(user=user, q=query["q"])
        elapsed = (time.perf_counter() - began) * 1000
        samples.append(elapsed)
        by_kind[query["kind"]].append(elapsed)
    result = {
        **summary(samples),
        "by_kind": {kind: summary(values) for kind, values in sorted(by_kind.items())},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
