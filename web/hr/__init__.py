"""Pages of the HR portal (/hr/...); installed by api.hr.install together with the HR API."""

from web.hr.pages import router

__all__ = ["router"]
