"""Default categories: the first-level classes of the public complaint boards
(the 7 of the TipDM data set) plus what grassroots desks also receive."""

from django.utils.translation import gettext_lazy as _

DEFAULT_CATEGORIES = [
    ("urban_rural_construction", _("Urban and rural construction")),
    ("labour_social_security", _("Labour and social security")),
    ("education_culture_sports", _("Education, culture and sports")),
    ("commerce_tourism", _("Commerce and tourism")),
    ("health_family_planning", _("Health and family planning")),
    ("environmental_protection", _("Environmental protection")),
    ("transport", _("Transport")),
    ("public_security", _("Public security and law")),
    ("land_resources", _("Land and natural resources")),
    ("agriculture", _("Agriculture and rural affairs")),
    ("enterprise_affairs", _("Enterprise affairs")),
    ("civil_disputes", _("Neighbourhood and civil disputes")),
    ("other", _("Other")),
]
