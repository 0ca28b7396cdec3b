"""Country taggers: which countries a story is about. See `base.CountryTagger`."""

from headlines.countries.base import CountryTagger
from headlines.countries.data import country_tag, flag_emoji
from headlines.countries.exact import ExactNameTagger

__all__ = ["CountryTagger", "ExactNameTagger", "country_tag", "flag_emoji"]
