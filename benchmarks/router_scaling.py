"""How covet-router's match time changes with the size of the route table.

A router that tries each route's regex in turn gets slower as routes are added, and the last
route registered is the slowest to reach. covet-router looks static paths up in a dict and
walks dynamic ones segment by segment in a tree, so the time per match should stay flat from
10 routes to 10,000, for the first route as for the last.

Run it (covet-router installed, standard library only, a few seconds):

    python benchmarks/router_scaling.py

It prints microseconds per ``Router.match`` call, the best of several repeats, for the first
and the last route of each kind, and for a path that matches nothing.
"""

from __future__ import annotations

import timeit

from covet.router import NotFound, RouteMatch, Router

SIZES = (10, 100, 1_000, 10_000)
CALLS = 10_000  # match calls per measurement
REPEATS = 3


def endpoint() -> None:
    """Never called: the router treats endpoints as opaque values."""


def build(size: int) -> tuple[Router, dict[str, str]]:
    """A router of ``size`` routes, a mix of three kinds, and a path for each probe."""
    router = Router()
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for i in range(size):
        kind = ("static", "dynamic", "nested")[i % 3]
        if kind == "static":
            router.add_route(f"/pages/page-{i}/about", endpoint)
            path = f"/pages/page-{i}/about"
        elif kind == "dynamic":
            router.add_route(f"/resource-{i}/{{item_id:int}}", endpoint)
            path = f"/resource-{i}/12345"
        else:  # every one of these shares the /users/{user_id:int} branch of the tree
            router.add_route(f"/users/{{user_id:int}}/section-{i}/{{slug}}", endpoint)
            path = f"/users/42/section-{i}/hello-world"
        first.setdefault(kind, path)
        last[kind] = path
    probes = {f"first {kind}": path for kind, path in first.items()}
    probes.update({f"last {kind}": path for kind, path in last.items()})
    probes["miss"] = "/nothing/here/at/all"
    return router, probes


def microseconds_per_match(router: Router, path: str) -> float:
    timer = timeit.Timer(lambda: router.match("GET", path))
    return min(timer.repeat(repeat=REPEATS, number=CALLS)) / CALLS * 1e6


def main() -> None:
    rows = []
    for size in SIZES:
        router, probes = build(size)
        for label, path in probes.items():
            expected = NotFound if label == "miss" else RouteMatch
            assert isinstance(router.match("GET", path), expected), (size, label, path)
        rows.append(
            (size, {label: microseconds_per_match(router, p) for label, p in probes.items()})
        )

    labels = list(rows[0][1])
    print("covet-router: microseconds per Router.match (best of", REPEATS, "runs)")
    print(f"{'routes':>8}" + "".join(f"{label:>16}" for label in labels))
    for size, timings in rows:
        print(f"{size:>8}" + "".join(f"{timings[label]:>16.2f}" for label in labels))


if __name__ == "__main__":
    main()
