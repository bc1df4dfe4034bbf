"""Which lobe (or deep structure) each atlas region belongs to.

The lobe level of ieegrep has these values:

==================  ==========================================================
lobe                regions
==================  ==========================================================
``frontal``         DK: superiorfrontal, rostralmiddlefrontal, caudalmiddlefrontal,
                    parsopercularis, parstriangularis, parsorbitalis,
                    lateralorbitofrontal, medialorbitofrontal, precentral,
                    paracentral, frontalpole
``parietal``        DK: superiorparietal, inferiorparietal, supramarginal,
                    postcentral, precuneus
``temporal``        DK: superiortemporal, middletemporal, inferiortemporal,
                    bankssts, fusiform, transversetemporal, entorhinal,
                    temporalpole, parahippocampal
``occipital``       DK: lateraloccipital, lingual, cuneus, pericalcarine
``cingulate``       DK: rostralanteriorcingulate, caudalanteriorcingulate,
                    posteriorcingulate, isthmuscingulate
``insula``          DK: insula
deep structures     each its own group, as in BaRISTA's lobe table:
                    ``hippocampus``, ``amygdala``, ``thalamus``, ``caudate``,
                    ``putamen``, ``pallidum``, ``accumbens``, ``ventral-dc``,
                    ``brainstem``, ``cerebellum``
``white-matter``    cerebral white matter, corpus callosum, WM hypointensities
``ventricle``       lateral, inferior-lateral, 3rd, 4th ventricles, CSF,
                    choroid plexus
``Unknown``         anything else (medial wall, vessels, unlabelled)
==================  ==========================================================

The Desikan-Killiany (DK) grouping is the one of Klein & Tourville (2012,
appendix), which BaRISTA also uses. Each Destrieux parcel is given the lobe its
name places it in (a superior occipital gyrus is occipital, a circular sulcus of
the insula is insular). Parcels on a lobe boundary (subcentral gyrus, central,
marginal and parieto-occipital sulci, posterior lateral fissure) follow the DK
lobe covering most of their voxels; ``tools/build_atlases.py`` prints that
overlap for every parcel so the table can be checked.
The hemisphere is kept separately (``hemisphere`` column), not in the lobe.
"""

from __future__ import annotations

import re

__all__ = [
    "LOBES",
    "lobe_of",
    "hemisphere_of",
    "normalise_hemisphere",
    "region_key",
    "DK_LOBES",
    "DESTRIEUX_LOBES",
]

UNKNOWN = "Unknown"

_DK = {
    "frontal": [
        "superiorfrontal",
        "rostralmiddlefrontal",
        "caudalmiddlefrontal",
        "parsopercularis",
        "parstriangularis",
        "parsorbitalis",
        "lateralorbitofrontal",
        "medialorbitofrontal",
        "precentral",
        "paracentral",
        "frontalpole",
    ],
    "parietal": [
        "superiorparietal",
        "inferiorparietal",
        "supramarginal",
        "postcentral",
        "precuneus",
    ],
    "temporal": [
        "superiortemporal",
        "middletemporal",
        "inferiortemporal",
        "bankssts",
        "fusiform",
        "transversetemporal",
        "entorhinal",
        "temporalpole",
        "parahippocampal",
    ],
    "occipital": ["lateraloccipital", "lingual", "cuneus", "pericalcarine"],
    "cingulate": [
        "rostralanteriorcingulate",
        "caudalanteriorcingulate",
        "posteriorcingulate",
        "isthmuscingulate",
    ],
    "insula": ["insula"],
}

_DESTRIEUX = {
    "frontal": [
        "G_and_S_frontomargin",
        "G_and_S_paracentral",
        "G_and_S_transv_frontopol",
        "G_front_inf-Opercular",
        "G_front_inf-Orbital",
        "G_front_inf-Triangul",
        "G_front_middle",
        "G_front_sup",
        "G_orbital",
        "G_precentral",
        "G_rectus",
        "G_subcallosal",
        "Lat_Fis-ant-Horizont",
        "Lat_Fis-ant-Vertical",
        "S_central",
        "S_front_inf",
        "S_front_middle",
        "S_front_sup",
        "S_orbital_lateral",
        "S_orbital_med-olfact",
        "S_orbital-H_Shaped",
        "S_precentral-inf-part",
        "S_precentral-sup-part",
        "S_suborbital",
        "S_cingul-Marginalis",
    ],
    "parietal": [
        "G_pariet_inf-Angular",
        "G_pariet_inf-Supramar",
        "G_parietal_sup",
        "G_postcentral",
        "G_precuneus",
        "G_and_S_subcentral",
        "S_interm_prim-Jensen",
        "S_intrapariet_and_P_trans",
        "S_postcentral",
        "S_subparietal",
        "Lat_Fis-post",
        "S_parieto_occipital",
    ],
    "temporal": [
        "G_oc-temp_lat-fusifor",
        "G_oc-temp_med-Parahip",
        "G_temp_sup-G_T_transv",
        "G_temp_sup-Lateral",
        "G_temp_sup-Plan_polar",
        "G_temp_sup-Plan_tempo",
        "G_temporal_inf",
        "G_temporal_middle",
        "Pole_temporal",
        "S_collat_transv_ant",
        "S_oc-temp_lat",
        "S_oc-temp_med_and_Lingual",
        "S_temporal_inf",
        "S_temporal_sup",
        "S_temporal_transverse",
    ],
    "occipital": [
        "G_and_S_occipital_inf",
        "G_cuneus",
        "G_occipital_middle",
        "G_occipital_sup",
        "G_oc-temp_med-Lingual",
        "Pole_occipital",
        "S_calcarine",
        "S_collat_transv_post",
        "S_oc_middle_and_Lunatus",
        "S_oc_sup_and_transversal",
        "S_occipital_ant",
    ],
    "cingulate": [
        "G_and_S_cingul-Ant",
        "G_and_S_cingul-Mid-Ant",
        "G_and_S_cingul-Mid-Post",
        "G_cingul-Post-dorsal",
        "G_cingul-Post-ventral",
        "S_pericallosal",
    ],
    "insula": [
        "G_Ins_lg_and_S_cent_ins",
        "G_insular_short",
        "S_circular_insula_ant",
        "S_circular_insula_inf",
        "S_circular_insula_sup",
    ],
}

# FreeSurfer aseg structures (names without the Left-/Right- prefix).
_ASEG = {
    "hippocampus": ["Hippocampus"],
    "amygdala": ["Amygdala"],
    "thalamus": ["Thalamus", "Thalamus-Proper"],
    "caudate": ["Caudate"],
    "putamen": ["Putamen"],
    "pallidum": ["Pallidum"],
    "accumbens": ["Accumbens-area"],
    "ventral-dc": ["VentralDC"],
    "brainstem": ["Brain-Stem"],
    "cerebellum": ["Cerebellum-Cortex", "Cerebellum-White-Matter"],
    "white-matter": [
        "Cerebral-White-Matter",
        "WM-hypointensities",
        "CC_Posterior",
        "CC_Mid_Posterior",
        "CC_Central",
        "CC_Mid_Anterior",
        "CC_Anterior",
        "UnsegmentedWhiteMatter",
    ],
    "ventricle": [
        "Lateral-Ventricle",
        "Inf-Lat-Vent",
        "3rd-Ventricle",
        "4th-Ventricle",
        "5th-Ventricle",
        "CSF",
        "choroid-plexus",
    ],
}

#: Every lobe-level value, in a fixed order (``"Unknown"`` last).
LOBES = tuple(list(_DK) + list(_ASEG) + [UNKNOWN])


def region_key(base: str) -> str:
    """Normalise a region name for look-ups: lower case, ``-``/``.``/space as ``_``.

    Parameters
    ----------
    base : str
        A region name, usually without its hemisphere prefix (``"G_front-sup"``,
        ``"superiortemporal"``). Leading and trailing whitespace is ignored.

    Returns
    -------
    key : str
        The lower-cased name with each run of ``-``, ``.`` and whitespace replaced
        by one ``_``: the form of the keys of :data:`DK_LOBES` and
        :data:`DESTRIEUX_LOBES`.

    Examples
    --------
    >>> region_key("G_front-sup")
    'g_front_sup'
    >>> region_key(" Left-Cerebellum-Cortex ")
    'left_cerebellum_cortex'
    """
    return re.sub(r"[-.\s]+", "_", base.strip()).lower()


def _invert(groups: dict) -> dict:
    return {region_key(name): lobe for lobe, names in groups.items() for name in names}


#: DK region (without hemisphere prefix) → lobe.
DK_LOBES = _invert(_DK)
#: Destrieux region (without hemisphere prefix) → lobe.
DESTRIEUX_LOBES = _invert(_DESTRIEUX)
_ALL = {**_invert(_ASEG), **DK_LOBES, **DESTRIEUX_LOBES}

_HEMI_PREFIX = re.compile(
    r"^(?:(?P<ctx>ctx[-_](?P<ctxhemi>lh|rh)[-_])|(?P<side>left|right|lh|rh|l|r)[-_.])",
    re.IGNORECASE,
)


def _split(label: str):
    match = _HEMI_PREFIX.match(label.strip())
    if not match:
        return None, label.strip()
    side = (match["ctxhemi"] or match["side"]).lower()
    return ("L" if side in ("lh", "left", "l") else "R"), label.strip()[match.end() :]


def hemisphere_of(label: str) -> str | None:
    """Hemisphere encoded in a FreeSurfer-style label, ``"L"``, ``"R"`` or ``None``.

    Parameters
    ----------
    label : str
        A FreeSurfer-style region name (``"ctx-lh-..."``, ``"Left-..."``, ...).

    Returns
    -------
    hemisphere : {"L", "R"} | None
        ``None`` for midline structures and labels without a side.

    Examples
    --------
    >>> hemisphere_of("ctx-lh-superiortemporal"), hemisphere_of("Right-Amygdala")
    ('L', 'R')
    >>> hemisphere_of("Brain-Stem") is None
    True
    """
    return _split(label)[0]


def normalise_hemisphere(value) -> str | None:
    """Read a hemisphere written as ``L``/``R``, ``left``/``right`` or ``lh``/``rh``.

    Parameters
    ----------
    value : object
        E.g. a cell of the ``hemisphere`` column of ``electrodes.tsv``.

    Returns
    -------
    hemisphere : ``"L"`` | ``"R"`` | None
        ``None`` for anything else (``n/a``, NaN, ``None``).
    """
    text = str(value).strip().lower()
    if text in ("l", "left", "lh"):
        return "L"
    if text in ("r", "right", "rh"):
        return "R"
    return None


def lobe_of(label: str) -> str:
    """Lobe (or deep structure) of a region label.

    Parameters
    ----------
    label : str
        A label in FreeSurfer style (``"ctx-lh-insula"``, ``"ctx_rh_G_front_sup"``,
        ``"Left-Hippocampus"``), the same upper-cased with ``_`` (BaRISTA style,
        ``"CTX_LH_G_FRONT_SUP"``), or a bare region name (``"superiortemporal"``).

    Returns
    -------
    lobe : str
        One of :data:`LOBES`; ``"Unknown"`` for labels that belong to no lobe.
    """
    if not isinstance(label, str) or not label.strip():
        return UNKNOWN
    hemisphere, base = _split(label)
    return _ALL.get(region_key(base), _ALL.get(region_key(label), UNKNOWN))
