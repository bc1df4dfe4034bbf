"""Atlases, coordinate spaces, region look-up and lobes.

>>> from ieegrep.atlas import Atlas
>>> Atlas.load("destrieux").label([[-58, -20, 6]], space="MNI152NLin2009cAsym").tolist()
['ctx_lh_S_temporal_transverse']
"""

from .atlas import DEFAULT_RADIUS_MM, ECOG_RADIUS_MM, Atlas, available_atlases
from .lobes import LOBES, hemisphere_of, lobe_of
from .spaces import MNI305_TO_MNI152, Space, resolve_space

__all__ = [
    "Atlas",
    "available_atlases",
    "DEFAULT_RADIUS_MM",
    "ECOG_RADIUS_MM",
    "LOBES",
    "lobe_of",
    "hemisphere_of",
    "MNI305_TO_MNI152",
    "Space",
    "resolve_space",
]
