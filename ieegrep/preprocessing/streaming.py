"""Preprocess long recordings in chunks, with bounded memory and whole-recording results.

:class:`RecordingStream` reads a recording chunk by chunk (the signal file is
read lazily by MNE) and applies, in order:

1. the line-noise notch (:mod:`ieegrep.preprocessing.filters`) — the causal
   reference mode carries its filter state from chunk to chunk; the zero-phase
   mode reads :attr:`NotchFilter.margin` extra samples on each side;
2. the re-referencing matrix (:mod:`ieegrep.preprocessing.reference`), which is
   instantaneous;
3. polyphase resampling to the model rate, with chunk edges on multiples of
   the down-sampling factor and enough context for the anti-aliasing filter.

Chunk results are therefore the same numbers as processing the whole recording
at once (to float rounding; tested), while memory holds one chunk plus its
context and one window length. :meth:`RecordingStream.windows` yields batches
of windows (from :mod:`ieegrep.preprocessing.windows`), and :func:`preprocess`
runs the same path in memory for recordings that fit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal

from ..atomic import NpyWriter
from ..bids import split_recording
from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose
from .filters import NotchFilter, resampling_ratio
from .reference import recording_scheme, referenced_recording

__all__ = ["RecordingStream", "preprocess"]


class RecordingStream:
    """A recording preprocessed on the fly, chunk by chunk.

    Parameters
    ----------
    inst : Recording | mne.io.Raw
        The recording (its data may stay on disk: ``preload=False``).
    reference : ``"laplacian"`` | ``"bipolar"`` | ``"average"`` | ``"none"`` | None, default "laplacian"
        Re-referencing scheme (``"laplacian"`` as BrainBERT/BaRISTA).
    notch : ``"reference"`` | ``"zero-phase"`` | None, default "reference"
        Line-noise notch mode (``"reference"``: causal ``iirnotch``
        Q = 30 at the line frequency and 5 harmonics); ``None`` skips it.
    sfreq : float | None, default None
        Output rate in Hz (polyphase resampling); ``None`` keeps the input rate.
    line_freq : float | None
        Line frequency in Hz; default the recording's ``PowerLineFrequency``.
    chunk_duration : float
        Seconds of input per chunk (default 60). Memory grows with it, not with
        the recording's length.
    scope : ``"shaft"`` | ``"global"``, default 'shaft'
        Averaging scope for ``reference="average"``.
    allow_one_neighbour : bool, default False
        Laplacian: keep contacts with one neighbour.
    exclude_bads : bool
        Leave bad channels out (default True).

    Attributes
    ----------
    ch_names : list of str
        Output channels (iEEG only, after re-referencing).
    sfreq : float
        Output sampling frequency (Hz).
    n_times : int
        Output samples.
    scheme : ReferenceScheme
        The re-referencing map.
    """

    def __init__(
        self,
        inst,
        *,
        reference: str | None = "laplacian",
        notch: str | None = "reference",
        sfreq: float | None = None,
        line_freq: float | None = None,
        chunk_duration: float = 60.0,
        scope: str = "shaft",
        allow_one_neighbour: bool = False,
        exclude_bads: bool = True,
    ):
        raw, self.recording = split_recording(inst)
        if chunk_duration is None or not np.isfinite(chunk_duration) or chunk_duration <= 0:
            raise InvalidParameterError(
                "chunk_duration must be a positive number of seconds.",
                field="chunk_duration",
                value=chunk_duration,
                fix="Pass e.g. chunk_duration=60.",
            )
        self.raw = raw
        self.scheme, self.picks = recording_scheme(
            raw,
            self.recording,
            reference,
            scope=scope,
            allow_one_neighbour=allow_one_neighbour,
            exclude_bads=exclude_bads,
        )
        self.reference_options = dict(scope=scope, allow_one_neighbour=allow_one_neighbour)
        # read only the inputs some output needs
        used = np.flatnonzero(np.abs(self.scheme.matrix).sum(axis=0) > 0)
        self._inputs = [self.picks[i] for i in used]
        self._matrix = self.scheme.matrix[:, used]
        self.input_sfreq = float(raw.info["sfreq"])
        self.notch_mode = notch
        self.line_freq = raw.info["line_freq"] if line_freq is None else line_freq
        if notch is not None:
            self._notch = NotchFilter(self.input_sfreq, self.line_freq, mode=notch)
        else:
            self._notch = None
        target = self.input_sfreq if sfreq is None else float(sfreq)
        self.up, self.down, error = resampling_ratio(self.input_sfreq, target)
        if abs(error) > 1e-6:
            logger.info(
                "Resampling %g -> %g Hz by %d/%d (rate error %.2e)",
                self.input_sfreq,
                target,
                self.up,
                self.down,
                error,
            )
        self.sfreq = target
        self.n_times = int(np.ceil(raw.n_times * self.up / self.down))
        chunk = max(int(round(chunk_duration * self.input_sfreq)), 1)
        self._chunk = int(np.ceil(chunk / self.down)) * self.down
        self._notch_margin = self._notch.margin if notch == "zero-phase" else 0
        # context for the anti-aliasing filter of resample_poly (10 taps per phase)
        resample_reach = int(np.ceil(10 * max(self.up, self.down) / self.up)) + 1
        self._resample_margin = (
            0 if self.up == self.down else int(np.ceil(resample_reach / self.down)) * self.down
        )

    @property
    def ch_names(self) -> list[str]:
        """Output channel names."""
        return list(self.scheme.outputs)

    def _read(self, start: int, stop: int) -> np.ndarray:
        """Notch-filtered, re-referenced input samples [start, stop) (native rate)."""
        margin = self._notch_margin
        first, last = max(start - margin, 0), min(stop + margin, self.raw.n_times)
        data = self.raw.get_data(picks=self._inputs, start=first, stop=last)
        if self._notch is not None:
            data = self._notch(data)
        data = data[:, start - first : data.shape[1] - (last - stop)]
        return self._matrix @ data

    def chunks(self) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(first_sample, data)``: consecutive processed chunks, output rate.

        Yields
        ------
        first_sample : int
            Index of the chunk's first sample in the output signal.
        data : ndarray, shape (n_channels, n_samples)
            Volts, float64.
        """
        if self._notch is not None:
            self._notch.reset()
        n_in = self.raw.n_times
        if self.up == self.down:
            for start in range(0, n_in, self._chunk):
                stop = min(start + self._chunk, n_in)
                yield start, self._read(start, stop)
            return
        # resampling: read with context, so chunk outputs equal whole-signal outputs
        margin = self._resample_margin
        pending = None  # causal notch state requires reading in order, without gaps
        for start in range(0, n_in, self._chunk):
            stop = min(start + self._chunk, n_in)
            ahead = min(stop + margin, n_in)
            if pending is None:
                buffer = self._read(0, ahead)
                buffer_start = 0
            else:
                buffer_start, buffer = pending
                if ahead > buffer_start + buffer.shape[1]:
                    buffer = np.concatenate(
                        [buffer, self._read(buffer_start + buffer.shape[1], ahead)], axis=1
                    )
            first = max(start - margin, 0)
            segment = buffer[:, first - buffer_start : ahead - buffer_start]
            out = signal.resample_poly(segment, self.up, self.down, axis=-1)
            offset = (start - first) * self.up // self.down
            out_start = start * self.up // self.down
            out_stop = self.n_times if stop == n_in else stop * self.up // self.down
            yield out_start, out[:, offset : offset + out_stop - out_start]
            keep_from = max(stop - margin, 0)
            pending = (keep_from, buffer[:, keep_from - buffer_start :])

    def windows(
        self, windows: pd.DataFrame, *, batch_size: int = 64
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield batches of windows of the processed signal, in the table's order.

        Parameters
        ----------
        windows : pandas.DataFrame
            A window table on this stream's sample grid (``attrs["sfreq"]`` equal
            to :attr:`sfreq`), sorted by ``start``: see
            :func:`~ieegrep.preprocessing.sliding_windows`.
        batch_size : int
            Windows per batch (default 64).

        Yields
        ------
        rows : ndarray of int
            Positions of the windows in ``windows``.
        data : ndarray, shape (n_batch, n_channels, n_samples)
            The windows, volts.
        """
        n_samples = int(windows.attrs["n_samples"])
        for rows, buffer, buffer_start in self._buffered(windows, batch_size):
            index = (windows["start"].to_numpy(int)[rows][:, None] - buffer_start) + np.arange(
                n_samples
            )
            yield rows, buffer[:, index].transpose(1, 0, 2)

    def _buffered(self, windows, batch_size):
        """Yield ``(rows, buffer, buffer_start)`` with the batch's windows inside ``buffer``."""
        sfreq = windows.attrs.get("sfreq")
        if sfreq is None or not np.isclose(sfreq, self.sfreq):
            raise InvalidParameterError(
                "The windows are on another sample grid than the stream.",
                field="windows.attrs['sfreq']",
                value=sfreq,
                fix=f"Cut the windows with sfreq={self.sfreq:g} (the stream's output rate).",
            )
        starts = windows["start"].to_numpy(int)
        if np.any(np.diff(starts) < 0):
            raise InvalidParameterError(
                "Windows must be sorted by start.",
                field="windows",
                value="unsorted",
                fix="Sort the table: windows.sort_values('start').",
            )
        if batch_size < 1:
            raise InvalidParameterError(
                "batch_size must be a positive integer.",
                field="batch_size",
                value=batch_size,
                fix="Pass e.g. batch_size=64.",
            )
        stops = starts + int(windows.attrs["n_samples"])
        buffer_start, buffer = 0, np.empty((len(self.ch_names), 0))
        rows = np.arange(len(starts))
        next_row = 0
        for chunk_start, data in self.chunks():
            buffer = np.concatenate([buffer, data], axis=1)
            end = chunk_start + data.shape[1]
            ready = next_row + np.searchsorted(stops[next_row:], end, side="right")
            while next_row < ready:
                take = rows[next_row : min(ready, next_row + batch_size)]
                yield take, buffer, buffer_start
                next_row = take[-1] + 1
            keep_from = min(starts[next_row], end) if next_row < len(starts) else end
            buffer = buffer[:, keep_from - buffer_start :]
            buffer_start = keep_from
            if next_row >= len(starts):
                return

    def spectrograms(
        self, windows: pd.DataFrame, *, method: str = "stft", batch_size: int = 64, **options
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield batches of window spectrograms of the processed signal.

        The STFT of windows that share frames (starts on the hop grid) is computed
        once per chunk for all of them
        (:func:`~ieegrep.preprocessing.windowed_stft_spectrogram`).

        Parameters
        ----------
        windows : pandas.DataFrame
            Window table on this stream's grid, sorted by ``start``.
        method : ``"stft"`` | ``"superlet"``
            Front end (BrainBERT's STFT or superlet settings by default).
        batch_size : int
            Windows per batch (default 64).
        **options
            Passed to :func:`~ieegrep.preprocessing.stft_spectrogram` or
            :func:`~ieegrep.preprocessing.superlet_spectrogram`.

        Yields
        ------
        rows : ndarray of int
            Positions of the windows in ``windows``.
        spectrograms : ndarray, shape (n_batch, n_channels, n_frames, n_freqs)
            float32.
        """
        from .spectrogram import windowed_stft_spectrogram
        from .superlet import superlet_spectrogram

        if method not in ("stft", "superlet"):
            raise InvalidParameterError(
                "Unknown spectrogram method.",
                field="method",
                value=method,
                fix="Use 'stft' or 'superlet'.",
            )
        if method == "superlet":
            for rows, data in self.windows(windows, batch_size=batch_size):
                yield rows, superlet_spectrogram(data, self.sfreq, **options)
            return
        n_samples = int(windows.attrs["n_samples"])
        for rows, buffer, buffer_start in self._buffered(windows, batch_size):
            starts = windows["start"].to_numpy(int)[rows] - buffer_start
            spec = windowed_stft_spectrogram(buffer, self.sfreq, starts, n_samples, **options)
            yield rows, np.moveaxis(spec, -3, 0)

    @verbose
    def write_spectrograms(
        self,
        path,
        windows: pd.DataFrame,
        *,
        method: str = "stft",
        batch_size: int = 16,
        overwrite: bool = False,
        verbose=None,
        **options,
    ) -> Path:
        """Write the spectrograms of all windows to a ``.npy`` file, with bounded memory.

        Parameters
        ----------
        path : path-like
            Output ``.npy`` file, shape ``(n_windows, n_channels, n_frames,
            n_freqs)``, float32; written atomically (it appears when complete).
        windows : pandas.DataFrame
            Window table on this stream's grid.
        method : ``"stft"`` | ``"superlet"``, default 'stft'
            Front end.
        batch_size : int
            Windows per batch (default 16); memory grows with it.
        overwrite : bool
            Replace an existing file (default False).
        verbose : bool | str | int | None, default None
            Log level; INFO shows a progress bar.
        **options
            Passed to the spectrogram function.

        Returns
        -------
        path : pathlib.Path
            The written ``.npy`` file.
        """
        from tqdm.auto import tqdm

        writer = None
        try:
            with tqdm(
                total=len(windows),
                desc="Spectrograms",
                unit="window",
                disable=logger.getEffectiveLevel() > logging.INFO,
            ) as progress:
                for rows, spec in self.spectrograms(
                    windows, method=method, batch_size=batch_size, **options
                ):
                    if writer is None:
                        writer = NpyWriter(
                            path, (len(windows),) + spec.shape[1:], overwrite=overwrite
                        )
                    writer.write(spec)
                    progress.update(len(rows))
            if writer is None:
                raise InvalidParameterError(
                    "There is no window to write.",
                    field="windows",
                    value=len(windows),
                    fix="Cut windows that fit in the recording (see sliding_windows).",
                )
            writer.close()
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        return Path(path)

    def to_array(self) -> np.ndarray:
        """Return the whole processed signal in memory.

        Returns
        -------
        data : ndarray, shape (n_channels, n_times)
            The processed iEEG channels in volts at the output rate :attr:`sfreq`.
        """
        return np.concatenate([data for _, data in self.chunks()], axis=1)


@verbose
def preprocess(
    inst,
    *,
    reference: str | None = "laplacian",
    notch: str | None = "reference",
    sfreq: float | None = None,
    line_freq: float | None = None,
    chunk_duration: float = 60.0,
    scope: str = "shaft",
    allow_one_neighbour: bool = False,
    exclude_bads: bool = True,
    verbose=None,
):
    """Notch, re-reference and resample a recording, in memory.

    Runs :class:`RecordingStream` and gathers the result, so it equals the
    streamed numbers.

    Parameters
    ----------
    inst : Recording | mne.io.Raw
        The recording.
    reference : ``"laplacian"`` | ``"bipolar"`` | ``"average"`` | ``"none"`` | None, default "laplacian"
        Re-referencing scheme (see :class:`RecordingStream`).
    notch : ``"reference"`` | ``"zero-phase"`` | None, default "reference"
        Line-noise notch mode; ``None`` skips it.
    sfreq : float | None, default None
        Output rate in Hz; ``None`` keeps the input rate.
    line_freq : float | None, default None
        Line frequency in Hz; ``None`` reads the recording's ``PowerLineFrequency``.
    chunk_duration : float, default 60.0
        Input per chunk in seconds (bounds the memory of the streamed pass).
    scope : ``"shaft"`` | ``"global"``, default "shaft"
        Averaging scope for ``reference="average"``.
    allow_one_neighbour : bool, default False
        Laplacian: keep contacts with one neighbour.
    exclude_bads : bool, default True
        Leave bad channels out.
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    out : Recording | mne.io.Raw
        Same type as ``inst``: the processed iEEG channels (volts) at the output
        rate, with annotations, line frequency and (for a Recording) the electrode
        table re-aligned to the new channels.
    """
    stream = RecordingStream(
        inst,
        reference=reference,
        notch=notch,
        sfreq=sfreq,
        line_freq=line_freq,
        chunk_duration=chunk_duration,
        scope=scope,
        allow_one_neighbour=allow_one_neighbour,
        exclude_bads=exclude_bads,
    )
    data = stream.to_array()
    recording = stream.recording
    if recording is not None:
        out = referenced_recording(
            recording, stream.scheme, data, sfreq=stream.sfreq, **stream.reference_options
        )
        out.provenance["preprocessing"] = {
            "notch": notch,
            "line_freq": stream.line_freq,
            "sfreq": stream.sfreq,
            "resampling": f"{stream.up}/{stream.down}",
        }
        return out
    return referenced_recording(None, stream.scheme, data, sfreq=stream.sfreq, raw=stream.raw)
