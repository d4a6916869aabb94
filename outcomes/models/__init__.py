"""Outcomes' models, one module per capability (feedback forms, reports, the publication).

Each module lists its models in ``__all__``; Django finds them here.
"""

from outcomes.models.feedback import *  # noqa: F403
from outcomes.models.publication import *  # noqa: F403
from outcomes.models.reports import *  # noqa: F403
