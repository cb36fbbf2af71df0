"""python -m crawler.samplesites [--port 8765] [--state 2] [--seed 2026] [--scale 10] [--write-config PATH]"""

from __future__ import annotations

import argparse
import time

from .catalog import SITES
from .server import SampleSites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Beispiel-Webseiten der Landratsämter auf localhost ausliefern"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--state", type=int, choices=(1, 2), default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--slow-delay", type=float, default=1.5)
    parser.add_argument("--scale", type=int, default=1, help="Stellen je Seite mal diesen Faktor")
    parser.add_argument("--write-config", metavar="PATH", help="districts.yaml für diese Seiten schreiben")
    args = parser.parse_args(argv)
    sites = SampleSites(port=args.port, seed=args.seed, state=args.state, slow_delay=args.slow_delay,
                        scale=args.scale)  # fmt: skip
    with sites:
        truth = sites.expected()
        for spec in SITES:
            for source in [key for key in truth if key.rsplit("-", 1)[0] == spec.slug]:
                note = f"  [{truth.failing[source]}]" if source in truth.failing else ""
                where = sites.base_url(spec.slug) if source.endswith("-web") else sites.vendor_url
                print(f"{where}/  {source:<30} {spec.kind:<9} {len(truth[source]):>3}{note}")
        twins = len(truth.twins)
        total = sum(len(v) for v in truth.values()) + twins
        print(f"{total} Stellen ({twins} in zwei Quellen), Zustand {sites.state}. Beenden mit Strg+C.")
        if args.write_config:
            print(f"districts.yaml: {sites.write_districts_yaml(args.write_config)}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
