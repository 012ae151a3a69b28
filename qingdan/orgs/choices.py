from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("City")
    TOWN = "town", _("Town / subdistrict")
    VILLAGE = "village", _("Village / community")


# Each level's parent level; a city is the root of an installation.
PARENT_LEVEL = {Level.CITY: None, Level.TOWN: Level.CITY, Level.VILLAGE: Level.TOWN}
# Digits of the 12-digit division code that a level owns: city 1-6, town 7-9, village 10-12.
LEVEL_PREFIX_LENGTH = {Level.CITY: 6, Level.TOWN: 9, Level.VILLAGE: 12}


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    HANDLER = "handler", _("Handler in a unit")
    SUPERVISOR = "supervisor", _("Supervisor")
    LEADER = "leader", _("Leader")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


class DepartmentKind(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("City bureau")
    TOWN_OFFICE = "town_office", _("Town office")
    POLICE_STATION = "police_station", _("Police station")
    OTHER = "other", _("Other unit")
