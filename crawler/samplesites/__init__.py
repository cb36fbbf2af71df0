"""Sample district sites: 33 realistic Landratsamt websites on loopback, for tests and the demo.

    from crawler.samplesites import SampleSites
    with SampleSites(seed=2026, slow_delay=0.2) as sites:
        config = sites.districts_config()     # districts.yaml content (validates with DistrictsConfig)
        truth = sites.expected(1)             # source key -> [ExpectedPosting]; truth.failing
        sites.set_state(2)                    # next night: removed / changed / added / broken

`python -m crawler.samplesites --port 8765 [--state 2]` serves them until Ctrl-C.
The catalogue (which district has which kind of site) is `catalog.SITES`.
"""

from .catalog import SITES, SiteSpec
from .chrome import ExpectedPosting, Page
from .server import SampleSites
from .sites import Expected, render_all

__all__ = ["SITES", "Expected", "ExpectedPosting", "Page", "SampleSites", "SiteSpec", "render_all"]
