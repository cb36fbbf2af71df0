"""Fill what a record leaves out but its own text tells: category, posting type, coordinates."""

from __future__ import annotations

from vacancies.geo import Gazetteer
from vacancies.model import Vacancy
from vacancies.normalize import category_for, posting_type_from_title
from vacancies.search.document import html_to_text


def enrich(vacancy: Vacancy, gazetteer: Gazetteer) -> Vacancy:
    given = vacancy.model_fields_set
    if not vacancy.category:
        # The same rules as for crawled postings: the employer and the text may decide.
        text = html_to_text(vacancy.description) if vacancy.description else None
        employer = vacancy.employer
        vacancy.category = category_for(vacancy.title, vacancy.department, employer=employer, text=text)
    if "posting_type" not in given:
        vacancy.posting_type = posting_type_from_title(vacancy.title)
    _geocode(vacancy, gazetteer)
    return vacancy


def _geocode(vacancy: Vacancy, gazetteer: Gazetteer) -> None:
    location = vacancy.location
    if location.lat is not None or not location.postal_code:
        return
    place = gazetteer.place_for_code(location.postal_code)
    if place is not None:
        location.lat, location.lon = place.lat, place.lon
        if location.postal_code in gazetteer.place_codes:  # a firm's or office's code names no town
            location.city = location.city or place.name
