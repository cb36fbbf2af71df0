"""Search parameters for endpoints that fix paging or order themselves (facets, feeds).

They take the filters of `SearchParams` but must not advertise `page`, `per_page` or `sort` in the
OpenAPI document: a parameter that is accepted and then ignored misleads API users.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from api.search_params import SearchParams


def search_params_without(*names: str, **fixed: Any) -> Callable[..., SearchParams]:
    """A dependency with SearchParams' parameters minus `names`; those take the values in `fixed`."""
    signature = inspect.signature(SearchParams, eval_str=True)
    kept = [p for p in signature.parameters.values() if p.name not in names]

    def dependency(**values: Any) -> SearchParams:
        return SearchParams(**values, **fixed)

    # FastAPI reads the parameters from the signature, so the trimmed one is what it declares.
    dependency.__signature__ = signature.replace(parameters=kept, return_annotation=SearchParams)  # type: ignore[attr-defined]
    return dependency
