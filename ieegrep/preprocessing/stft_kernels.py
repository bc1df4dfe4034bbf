"""Compiled inner loops of the block STFT (numba).

:mod:`ieegrep.preprocessing.spectrogram` projects blocks of samples onto the
needed Fourier vectors with one matrix product (BLAS); what follows touches
every frame and bin a few times with very little arithmetic each time. As NumPy
passes those steps cost more than the product itself, because every pass goes
through memory. These loops do them in one go per row, in float64, with the
GIL released so that threads scale:

* :func:`sliding_hann_modulus`: sums of ``taps`` consecutive blocks with their
  phase factors (by doubling),
  the periodic Hann window applied in the frequency domain, and the modulus;
* :func:`zscore_store`: BrainBERT's per-window, per-frequency z-score, the trim,
  NaN -> 0 and the cast to float32, written straight into the result.

Both are checked against the NumPy formulation and SciPy in
``tests/test_spectrogram.py``.
"""

from __future__ import annotations

import numba
import numpy as np

# No "nnan"/"ninf" fast-math: NaN must propagate as in the reference (-> 0 at the end).
_JIT = {"nogil": True, "cache": True, "error_model": "numpy", "fastmath": {"contract", "reassoc"}}


@numba.njit(**_JIT)
def mirror_fold(x, sources, offsets, lo, hi, even, odd):
    """Fold blocks of samples about their centres, reading rows straight from ``x``.

    Row ``i`` is ``x[sources[i], offsets[i] + t]`` for ``lo <= t < hi`` and zero
    elsewhere (the zero padding of SciPy's ``boundary='zeros'``), ``t`` running
    over ``n_blocks * blk`` samples.

    Parameters
    ----------
    x : ndarray of float64, shape (n_sources, n_times)
        Signals (the last axis contiguous).
    sources, offsets : ndarray of int64, shape (n_rows,)
        Source row and position of sample ``t = 0`` of each row.
    lo, hi : int
        Samples ``t`` outside ``[lo, hi)`` are zeros.
    even : ndarray of float64, shape (n_rows, n_blocks, blk // 2 + blk % 2)
        Receives ``y[m] + y[blk - 1 - m]`` of each block ``y`` for ``m < blk // 2``,
        then the centre sample if ``blk`` is odd.
    odd : ndarray of float64, shape (n_rows, n_blocks, blk // 2)
        Receives ``y[m] - y[blk - 1 - m]``.

    Notes
    -----
    Around the block centre ``c = (blk - 1) / 2`` the Fourier sum of a block is
    ``exp(-2j pi k c / n) sum_m (even_m cos(theta_mk) + 1j odd_m sin(theta_mk))``
    with ``theta_mk = 2 pi k (c - m) / n``: half the products of the plain sum.
    """
    n_rows, n_blocks, n_even = even.shape
    half = odd.shape[2]
    blk = 2 * half + (n_even - half)
    for i in range(n_rows):
        row = x[sources[i]]
        base = offsets[i]
        for g in range(n_blocks):
            t0 = g * blk
            e = even[i, g]
            o = odd[i, g]
            if t0 >= lo and t0 + blk <= hi:
                y = row[base + t0 : base + t0 + blk]
                for m in range(half):
                    a = y[m]
                    b = y[blk - 1 - m]
                    e[m] = a + b
                    o[m] = a - b
                if n_even > half:
                    e[half] = y[half]
            else:  # the block touches the zero padding
                for m in range(half):
                    t = t0 + m
                    a = row[base + t] if lo <= t < hi else 0.0
                    t = t0 + blk - 1 - m
                    b = row[base + t] if lo <= t < hi else 0.0
                    e[m] = a + b
                    o[m] = a - b
                if n_even > half:
                    t = t0 + half
                    e[half] = row[base + t] if lo <= t < hi else 0.0


@numba.njit(**_JIT)
def _double(a_re, a_im, b_re, b_im, count, size, tw_re, tw_im):
    """b[g] = a[g] + w^(k size) a[g + size] for g < count, every bin k."""
    n_k = a_re.shape[1]
    for g in range(count):
        for k in range(n_k):
            xr = a_re[g + size, k]
            xi = a_im[g + size, k]
            c = tw_re[size, k]
            s = tw_im[size, k]
            b_re[g, k] = a_re[g, k] + xr * c - xi * s
            b_im[g, k] = a_im[g, k] + xr * s + xi * c


@numba.njit(**_JIT)
def sliding_hann_modulus(sums_re, sums_im, tw_re, tw_im, taps, step, rotation, out):
    """|Hann-windowed spectrum| of every frame from centred block sums.

    Parameters
    ----------
    sums_re, sums_im : ndarray of float64, shape (n_rows, n_blocks, n_k)
        Real and imaginary parts of the centred block sums ``B'_k(b)`` (see
        :func:`mirror_fold`). ``n_k`` is one more than the number of kept bins
        (the window needs the next bin).
    tw_re, tw_im : ndarray of float64, shape (taps, n_k)
        ``exp(-2j pi k s / taps)`` for block shift ``s``.
    taps : int
        Blocks per window.
    step : int
        Blocks per hop: frame ``f`` starts at block ``f * step``.
    rotation : float
        ``2 pi c / nperseg``: centred sums of neighbouring bins differ by this phase.
    out : ndarray of float64, shape (n_rows, n_frames, n_k - 1)
        Receives the magnitudes.
    """
    n_rows, n_blocks, n_k = sums_re.shape
    n_frames, n_keep = out.shape[1], out.shape[2]
    # ping-pong buffers for the doubling, and the windowed sums of every frame
    a_re = np.empty((n_blocks, n_k))
    a_im = np.empty((n_blocks, n_k))
    b_re = np.empty((n_blocks, n_k))
    b_im = np.empty((n_blocks, n_k))
    spec_re = np.empty((n_frames, n_k))
    spec_im = np.empty((n_frames, n_k))
    c_rot = np.cos(rotation)
    s_rot = np.sin(rotation)
    for r in range(n_rows):
        # a window of `taps` blocks = its binary parts: the part of `size` blocks comes
        # after the larger parts, at offset (taps // (2 size)) * 2 size
        src_re, src_im = sums_re[r], sums_im[r]
        first = True
        count = n_blocks
        size = 1
        flip = False
        while size <= taps:
            if taps & size:
                offset = (taps // (2 * size)) * (2 * size)
                for f in range(n_frames):
                    g = f * step + offset
                    for k in range(n_k):
                        xr = src_re[g, k]
                        xi = src_im[g, k]
                        c = tw_re[offset, k]
                        s = tw_im[offset, k]
                        if first:
                            spec_re[f, k] = xr * c - xi * s
                            spec_im[f, k] = xr * s + xi * c
                        else:
                            spec_re[f, k] += xr * c - xi * s
                            spec_im[f, k] += xr * s + xi * c
                first = False
            if 2 * size > taps:
                break
            # sums of 2 size blocks: P(g) = P_size(g) + w^(k size) P_size(g + size)
            count -= size
            if flip:
                _double(src_re, src_im, a_re, a_im, count, size, tw_re, tw_im)
                src_re, src_im = a_re, a_im
            else:
                _double(src_re, src_im, b_re, b_im, count, size, tw_re, tw_im)
                src_re, src_im = b_re, b_im
            flip = not flip
            size *= 2
        # periodic Hann: Y_k = X_k - (X_(k-1) + X_(k+1)) / 2 (the basis holds the other
        # factor 1/2). X_k = exp(-1j k rotation) X'_k for centred sums X', so the
        # neighbours enter with exp(+-1j rotation); X_(-1) = conj(X_1) for a real signal.
        for f in range(n_frames):
            xr = spec_re[f]
            xi = spec_im[f]
            o = out[r, f]
            yr = xr[0] - (c_rot * xr[1] + s_rot * xi[1])
            yi = xi[0]
            o[0] = np.sqrt(yr * yr + yi * yi)
            for k in range(1, n_keep):
                sr = xr[k - 1] + xr[k + 1]
                si = xi[k - 1] + xi[k + 1]
                dr = xr[k - 1] - xr[k + 1]
                di = xi[k - 1] - xi[k + 1]
                yr = xr[k] - 0.5 * (c_rot * sr - s_rot * di)
                yi = xi[k] - 0.5 * (c_rot * si + s_rot * dr)
                o[k] = np.sqrt(yr * yr + yi * yi)


@numba.njit(**_JIT)
def zscore_store(mags, out, r0, windows, trim, normalize, before_trim):
    """Z-score, trim, NaN -> 0 and cast of magnitudes into the float32 result.

    Parameters
    ----------
    mags : ndarray of float64, shape (n_rows, n_windows, n_frames, n_freqs)
        Magnitudes of every frame of each window.
    out : ndarray of float32, shape (n_all_rows, n_all_windows, n_kept, n_freqs)
        ``out[r0 + r, windows[i]]`` receives row ``r`` of window ``i``.
    r0 : int
        First row of ``out`` written.
    windows : ndarray of int64, shape (n_windows,)
        Window positions in ``out``.
    trim : int
        Frames dropped at each end.
    normalize : bool
        Z-score (True) or only trim (False).
    before_trim : bool
        Statistics over all frames (BrainBERT's ``stft.py``; a standard deviation
        of 0 becomes 1 and a window whose bins are all constant becomes ones) or
        over the kept frames only.
    """
    n_rows, n_windows, n_frames, n_freqs = mags.shape
    lo, hi = (0, n_frames) if before_trim else (trim, n_frames - trim)
    n_used = hi - lo
    mean = np.empty(n_freqs)
    scale = np.empty(n_freqs)
    for r in range(n_rows):
        for i in range(n_windows):
            m = mags[r, i]
            o = out[r0 + r, windows[i]]
            if not normalize:
                for f in range(trim, n_frames - trim):
                    for k in range(n_freqs):
                        v = m[f, k]
                        o[f - trim, k] = 0.0 if v != v else v
                continue
            for k in range(n_freqs):
                mean[k] = 0.0
                scale[k] = 0.0
            for f in range(lo, hi):
                for k in range(n_freqs):
                    mean[k] += m[f, k]
            for k in range(n_freqs):
                mean[k] /= n_used
            for f in range(lo, hi):
                for k in range(n_freqs):
                    d = m[f, k] - mean[k]
                    scale[k] += d * d
            constant = before_trim
            for k in range(n_freqs):
                variance = scale[k] / n_used
                if variance != 0.0:
                    constant = False
                std = np.sqrt(variance)
                scale[k] = 1.0 if std == 0.0 else 1.0 / std
            for f in range(trim, n_frames - trim):
                for k in range(n_freqs):
                    v = 1.0 if constant else (m[f, k] - mean[k]) * scale[k]
                    o[f - trim, k] = 0.0 if v != v else v
