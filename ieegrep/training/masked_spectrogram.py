"""BrainBERT's pretraining objective: masked spectrogram modelling.

Spans of frames (1–5 frames wide) and of frequency bins (1–2 bins wide) are
corrupted with BERT's 80/10/10 rule (80 % set to 0, 10 % replaced by another
slice of the same clean spectrogram, 10 % left unchanged), and the model is
trained to reconstruct the clean spectrogram at the labelled cells with an L1
loss plus a "content-aware" L1 restricted to cells more than one standard
deviation from their frequency's mean (targets are z-scored)::

    loss = mean |target - prediction|  +  alpha * mean_{|target| > 1} |target - prediction|

Span drawing (per spectrogram, per axis of length ``N`` with widths ``[w_min, w_max]``):
candidate starts ``0 … N - w_max - 1`` are scanned in order; each is taken with
probability ``p`` if it lies strictly after the previous span's exclusive end;
a taken start gets a uniform width. Every time span, then every frequency span,
gets one "dice" deciding keep / replace / zero; frequency replacements copy
columns of the clean spectrogram on top of the time-masked one.

**The reference's label bug.** The BrainBERT reference marks as loss locations
every row of each time span *and* the columns whose indices fall inside the time
spans (time indices used on the frequency axis), and never the frequency spans
themselves. ieegrep labels the rows of time spans and the columns of frequency
spans (``reference_bug=False``, the default); ``reference_bug=True`` reproduces
the reference's labels, which is what its released weights were trained with.

Two samplers draw the same distribution: :func:`mask_spectrogram_reference`
consumes a Python :class:`random.Random` exactly as the reference does (to
reproduce its masks bit for bit), and :func:`mask_batch` draws everything from a
:class:`torch.Generator` in a fixed order per batch (for exactly resumable
training runs).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from ..exceptions import InvalidParameterError, ModelInputError
from ..models.brainbert import BrainBERT

__all__ = [
    "MaskingConfig",
    "MaskedExample",
    "MaskedSpectrogramObjective",
    "mask_spectrogram_reference",
    "mask_batch",
    "masked_spectrogram_loss",
]

KEEP, REPLACE, ZERO = 0, 1, 2


@dataclass(frozen=True)
class MaskingConfig:
    """Span masking settings (defaults: BrainBERT's README pretraining run).

    Parameters
    ----------
    time_mask_p : float
        Probability that a candidate frame starts a time span (default 0.05;
        the reference's yaml default is 0.10, its README run uses 0.05).
    freq_mask_p : float
        Same for frequency spans (default 0.05).
    time_width : tuple of int
        Inclusive range of time-span widths in frames (default (1, 5)).
    freq_width : tuple of int
        Inclusive range of frequency-span widths in bins (default (1, 2)).
    keep_p : float
        Probability that a span is left unchanged (default 0.1).
    replace_p : float
        Probability that a span is replaced by another slice of the clean
        spectrogram (default 0.1); the rest (0.8) is set to ``fill_value``.
    fill_value : float
        Value written into zeroed spans (default 0.0, the z-scored mean).
    reference_bug : bool
        Reproduce the reference's loss labels (time spans' indices used as
        frequency columns; frequency spans unlabelled). Default False.
    """

    time_mask_p: float = 0.05
    freq_mask_p: float = 0.05
    time_width: tuple[int, int] = (1, 5)
    freq_width: tuple[int, int] = (1, 2)
    keep_p: float = 0.1
    replace_p: float = 0.1
    fill_value: float = 0.0
    reference_bug: bool = False

    def __post_init__(self):
        for name in ("time_mask_p", "freq_mask_p", "keep_p", "replace_p"):
            value = getattr(self, name)
            if not 0.0 <= float(value) <= 1.0:
                raise InvalidParameterError(
                    "A masking probability must lie in [0, 1].",
                    field=name,
                    value=value,
                    fix="Pass a probability, e.g. 0.05.",
                )
        if self.keep_p + self.replace_p > 1.0:
            raise InvalidParameterError(
                "keep_p + replace_p must not exceed 1.",
                field="keep_p, replace_p",
                value=(self.keep_p, self.replace_p),
                fix="Use the BERT rule keep_p=0.1, replace_p=0.1.",
            )
        for name in ("time_width", "freq_width"):
            low, high = getattr(self, name)
            if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high):
                raise InvalidParameterError(
                    "A span width range must be integers 1 <= min <= max.",
                    field=name,
                    value=getattr(self, name),
                    fix="Pass e.g. (1, 5).",
                )


@dataclass
class MaskedExample:
    """One masked spectrogram and the record of every random decision.

    Attributes
    ----------
    masked : torch.Tensor, shape (T, F)
        Corrupted input.
    label : torch.Tensor, shape (T, F), float32
        1 at loss locations, 0 elsewhere.
    time_intervals : list of (int, int), default []
        Time spans ``[start, end)`` (frames) in drawing order.
    time_actions : list of int, default []
        0 keep, 1 replace, 2 zero, per time span.
    time_sources : list of int, default []
        Source start of each time replacement, -1 for other actions.
    freq_intervals : list of (int, int), default []
        Frequency spans ``[start, end)`` (bins) in drawing order.
    freq_actions : list of int, default []
        0 keep, 1 replace, 2 zero, per frequency span.
    freq_sources : list of int, default []
        Source start of each frequency replacement, -1 for other actions.
    n_draws : int, default 0
        Random numbers consumed (reference sampler only).
    """

    masked: Tensor
    label: Tensor
    time_intervals: list = field(default_factory=list)
    time_actions: list = field(default_factory=list)
    time_sources: list = field(default_factory=list)
    freq_intervals: list = field(default_factory=list)
    freq_actions: list = field(default_factory=list)
    freq_sources: list = field(default_factory=list)
    n_draws: int = 0


def _apply(clean, intervals, actions, sources, config):
    """Corrupt a copy of ``clean`` (T, F) and build its labels from drawn spans."""
    masked = clean.clone()
    label = torch.zeros_like(clean, dtype=torch.float32)
    (t_spans, f_spans), (t_actions, f_actions), (t_src, f_src) = intervals, actions, sources
    for (start, end), action, src in zip(t_spans, t_actions, t_src):
        if action == REPLACE:
            masked[start:end] = clean[src : src + end - start]
        elif action == ZERO:
            masked[start:end] = config.fill_value
        label[start:end] = 1.0
    for (start, end), action, src in zip(f_spans, f_actions, f_src):
        if action == REPLACE:
            masked[:, start:end] = clean[:, src : src + end - start]
        elif action == ZERO:
            masked[:, start:end] = config.fill_value
    if config.reference_bug:
        for start, end in t_spans:
            label[:, start:end] = 1.0  # time indices on the frequency axis, as the reference
    else:
        for start, end in f_spans:
            label[:, start:end] = 1.0
    return masked, label


def _check_spec(spec, name="spec", ndim=2):
    if not isinstance(spec, Tensor) or spec.ndim != ndim or not spec.is_floating_point():
        raise ModelInputError(
            f"Masking expects a float tensor with {ndim} axes "
            + ("(frames, freqs)." if ndim == 2 else "(batch, frames, freqs)."),
            field=name,
            value=tuple(spec.shape) if isinstance(spec, Tensor) else type(spec).__name__,
            fix="Pass torch.as_tensor(spec, dtype=torch.float32).",
        )


def mask_spectrogram_reference(
    spec: Tensor, rng: random.Random, config: MaskingConfig | None = None
) -> MaskedExample:
    """Mask one spectrogram drawing from Python's ``random`` exactly as the reference.

    Reproduces BrainBERT's "fixed" masking bit for bit given the same seeded
    stream: one ``random()`` per candidate start (a ``randint`` width when
    taken), then one dice per time span (a ``randint`` source when replaced),
    then the same for frequency spans.

    Parameters
    ----------
    spec : torch.Tensor, shape (T, F)
        Clean z-scored spectrogram.
    rng : random.Random
        Random stream (the reference uses the global ``random`` module; pass
        ``random.Random(seed)`` or the module itself).
    config : MaskingConfig | None
        Masking settings (default: :class:`MaskingConfig()`).

    Returns
    -------
    example : MaskedExample
        The masked spectrogram, its loss locations and every random decision.
    """
    config = config or MaskingConfig()
    _check_spec(spec)
    n_draws = 0

    def draw():
        nonlocal n_draws
        n_draws += 1
        return rng.random()

    def randint(low, high):
        nonlocal n_draws
        n_draws += 1
        return rng.randint(low, high)

    def spans(length, p, widths):
        found = []
        for start in range(length - widths[1]):
            if draw() < p and (not found or found[-1][1] < start):
                found.append((start, start + randint(*widths)))
        return found

    def actions(found, length, max_width):
        chosen, sources = [], []
        for _ in found:
            dice = draw()
            if dice < config.keep_p:
                chosen.append(KEEP)
                sources.append(-1)
            elif dice < config.keep_p + config.replace_p:
                chosen.append(REPLACE)
                sources.append(randint(0, length - max_width - 1))
            else:
                chosen.append(ZERO)
                sources.append(-1)
        return chosen, sources

    n_frames, n_freqs = spec.shape
    t_spans = spans(n_frames, config.time_mask_p, config.time_width)
    t_actions, t_src = actions(t_spans, n_frames, config.time_width[1])
    f_spans = spans(n_freqs, config.freq_mask_p, config.freq_width)
    f_actions, f_src = actions(f_spans, n_freqs, config.freq_width[1])
    masked, label = _apply(spec, (t_spans, f_spans), (t_actions, f_actions), (t_src, f_src), config)
    return MaskedExample(
        masked, label, t_spans, t_actions, t_src, f_spans, f_actions, f_src, n_draws
    )


def _spans_from_draws(accept, widths):
    """Greedy non-touching spans from per-start acceptance flags and widths (1-D tensors)."""
    found = []
    for start in torch.nonzero(accept).flatten().tolist():
        if not found or found[-1][1] < start:
            found.append((start, start + int(widths[start])))
    return found


def _actions_from_draws(n_spans, dice, sources, config):
    chosen, src = [], []
    for k in range(n_spans):
        if dice[k] < config.keep_p:
            chosen.append(KEEP)
            src.append(-1)
        elif dice[k] < config.keep_p + config.replace_p:
            chosen.append(REPLACE)
            src.append(int(sources[k]))
        else:
            chosen.append(ZERO)
            src.append(-1)
    return chosen, src


def mask_batch(
    spec: Tensor,
    generator: torch.Generator,
    padding_mask: Tensor | None = None,
    config: MaskingConfig | None = None,
) -> tuple[Tensor, Tensor]:
    """Mask a batch drawing every random number from a torch generator.

    The same rule as :func:`mask_spectrogram_reference`, with the random numbers
    drawn as fixed-size tensors per batch (so the generator's state after a batch
    depends only on the batch shape): per row, one uniform, one width, one dice
    and one replacement source per candidate start, for time then frequency.
    Padded frames are never masked or labelled.

    Parameters
    ----------
    spec : torch.Tensor, shape (B, T, F)
        Clean z-scored spectrograms.
    generator : torch.Generator
        CPU generator; the only source of randomness.
    padding_mask : torch.Tensor of bool, shape (B, T) | None, default None
        True at padded frames; None: no padding.
    config : MaskingConfig | None, default None
        Masking settings; None uses ``MaskingConfig()``.

    Returns
    -------
    masked : torch.Tensor, shape (B, T, F)
        Corrupted inputs (padded frames as given).
    label : torch.Tensor, shape (B, T, F), float32
        1 at loss locations.
    """
    config = config or MaskingConfig()
    _check_spec(spec, ndim=3)
    batch, n_frames, n_freqs = spec.shape
    if padding_mask is None:
        lengths = [n_frames] * batch
    else:
        if padding_mask.shape != (batch, n_frames) or padding_mask.dtype != torch.bool:
            raise ModelInputError(
                "padding_mask must be a bool tensor of shape (batch, frames).",
                field="padding_mask",
                value=tuple(padding_mask.shape),
                fix=f"Pass a bool tensor of shape {(batch, n_frames)}, True at padded frames.",
            )
        lengths = (~padding_mask).sum(dim=1).tolist()
    t_max, f_max = config.time_width[1], config.freq_width[1]
    n_t, n_f = max(n_frames - t_max, 0), max(n_freqs - f_max, 0)
    # fixed-shape draws in a fixed order keep runs resumable bit for bit
    g = {"generator": generator}
    t_u = torch.rand(batch, n_t, **g)
    t_w = torch.randint(config.time_width[0], t_max + 1, (batch, n_t), **g)
    t_dice = torch.rand(batch, n_t, **g)
    t_src = torch.rand(batch, n_t, **g)
    f_u = torch.rand(batch, n_f, **g)
    f_w = torch.randint(config.freq_width[0], f_max + 1, (batch, n_f), **g)
    f_dice = torch.rand(batch, n_f, **g)
    f_src = torch.randint(0, max(n_f, 1), (batch, n_f), **g)
    cpu = spec.detach().to("cpu")
    masked_rows, label_rows = [], []
    for b in range(batch):
        length = int(lengths[b])
        n_starts = max(length - t_max, 0)
        t_spans = _spans_from_draws(t_u[b, :n_starts] < config.time_mask_p, t_w[b])
        # a replacement starts uniformly in [0, length - t_max - 1]
        sources = (t_src[b] * max(n_starts, 1)).long().clamp_max(max(n_starts - 1, 0))
        t_actions, t_sources = _actions_from_draws(len(t_spans), t_dice[b], sources, config)
        f_spans = _spans_from_draws(f_u[b] < config.freq_mask_p, f_w[b])
        f_actions, f_sources = _actions_from_draws(len(f_spans), f_dice[b], f_src[b], config)
        row = cpu[b, :length]
        masked, label = _apply(
            row,
            (t_spans, f_spans),
            (t_actions, f_actions),
            (t_sources, f_sources),
            config,
        )
        masked_rows.append(torch.cat([masked, cpu[b, length:]]))
        label_rows.append(torch.cat([label, torch.zeros(n_frames - length, n_freqs)]))
    masked = torch.stack(masked_rows).to(spec.device, spec.dtype)
    label = torch.stack(label_rows).to(spec.device)
    return masked, label


def masked_spectrogram_loss(
    prediction: Tensor,
    target: Tensor,
    label: Tensor,
    *,
    alpha: float = 2.0,
    content_threshold: float = 1.0,
) -> dict[str, Tensor]:
    """L1 plus content-aware L1 over the labelled cells.

    Parameters
    ----------
    prediction, target : torch.Tensor, shape (B, T, F)
        Reconstruction and clean z-scored spectrogram.
    label : torch.Tensor, shape (B, T, F)
        Nonzero at loss locations.
    alpha : float
        Weight of the content-aware term (default 2, as the reference).
    content_threshold : float
        Cells with ``|target| > content_threshold`` enter the content term
        (default 1: more than one standard deviation from the mean).

    Returns
    -------
    losses : dict of str to torch.Tensor (scalars)
        ``"loss"`` = ``l1 + alpha * content_l1``, ``"l1"``, ``"content_l1"``,
        ``"content_aware"`` (= ``alpha * content_l1``). A term over an empty
        selection is 0 (the reference would give NaN).
    """
    selected = label != 0
    error = (target - prediction).abs()
    content = selected & (target.abs() > content_threshold)
    zero = error.sum() * 0.0  # keeps the graph (and device, dtype) for empty selections
    l1 = error[selected].mean() if bool(selected.any()) else zero
    content_l1 = error[content].mean() if bool(content.any()) else zero
    return {
        "loss": l1 + alpha * content_l1,
        "l1": l1,
        "content_l1": content_l1,
        "content_aware": alpha * content_l1,
    }


class MaskedSpectrogramObjective(nn.Module):
    """BrainBERT pretraining objective for the training runner.

    Parameters
    ----------
    model : BrainBERT
        The encoder with its reconstruction head (kept as ``self.model``).
    alpha : float
        Weight of the content-aware L1 (default 2).
    content_threshold : float
        ``|target|`` above which a cell is "content" (default 1).
    **options
        :class:`MaskingConfig` fields (``time_mask_p``, ``freq_mask_p``,
        ``time_width``, ``freq_width``, ``keep_p``, ``replace_p``,
        ``fill_value``, ``reference_bug``).
    """

    def __init__(
        self, model: BrainBERT, *, alpha: float = 2.0, content_threshold: float = 1.0, **options
    ):
        super().__init__()
        if not isinstance(model, BrainBERT):
            raise InvalidParameterError(
                "MaskedSpectrogramObjective trains a BrainBERT model.",
                field="model",
                value=type(model).__name__,
                fix="Pass ieegrep.models.brainbert.BrainBERT(...).",
            )
        unknown = set(options) - set(MaskingConfig.__dataclass_fields__)
        if unknown:
            raise InvalidParameterError(
                "Unknown masking option.",
                field="options",
                value=sorted(unknown),
                fix=f"Use any of {sorted(MaskingConfig.__dataclass_fields__)}.",
            )
        self.model = model
        self.masking = MaskingConfig(**options)
        self.alpha = float(alpha)
        self.content_threshold = float(content_threshold)

    def forward(self, batch: dict[str, Tensor], generator: torch.Generator) -> dict[str, Tensor]:
        """Mask, reconstruct and score one batch.

        Parameters
        ----------
        batch : dict
            ``"spec"``: (B, T, F) float32 clean z-scored spectrograms; optional
            ``"padding_mask"``: (B, T) bool, True at padded frames.
        generator : torch.Generator
            CPU generator, the only source of randomness.

        Returns
        -------
        out : dict of str to torch.Tensor (scalars)
            ``"loss"`` (to optimise); detached metrics ``"baseline_loss"`` (the same
            loss for predicting 0, the z-scored mean, at the same cells), ``"l1"``,
            ``"content_l1"``, ``"baseline_l1"`` and ``"masked_fraction"`` (labelled
            share of valid cells).
        """
        spec = batch["spec"]
        padding_mask = batch.get("padding_mask")
        masked, label = mask_batch(spec, generator, padding_mask, self.masking)
        prediction = self.model(masked, padding_mask)
        kwargs = {"alpha": self.alpha, "content_threshold": self.content_threshold}
        losses = masked_spectrogram_loss(prediction, spec, label, **kwargs)
        with torch.no_grad():
            baseline = masked_spectrogram_loss(torch.zeros_like(spec), spec, label, **kwargs)
            n_valid = spec.shape[0] * spec.shape[1] * spec.shape[2]
            if padding_mask is not None:
                n_valid = int((~padding_mask).sum()) * spec.shape[2]
            fraction = label.sum() / max(n_valid, 1)
        return {
            "loss": losses["loss"],
            "baseline_loss": baseline["loss"].detach(),
            "l1": losses["l1"].detach(),
            "content_l1": losses["content_l1"].detach(),
            "baseline_l1": baseline["l1"].detach(),
            "masked_fraction": fraction.detach(),
        }

    def after_step(self, step: int, total_steps: int) -> None:
        """Do nothing: BrainBERT has no per-step state (the runner calls this after each step).

        Parameters
        ----------
        step : int
            Index of the optimiser step just taken, from 0.
        total_steps : int
            Steps of the whole run.
        """
