"""
.. _ex-spectrograms:

==============================
STFT and superlet spectrograms
==============================

BrainBERT reads a spectrogram, not the raw voltage. Its authors used two front
ends: a short-time Fourier transform (STFT) and adaptive superlets. ieegrep
reproduces both (:func:`~ieegrep.preprocessing.stft_spectrogram`,
:func:`~ieegrep.preprocessing.superlet_spectrogram`). This example compares
them on a simulated signal with a known time-frequency content, then on the
seizure onset of the bundled ECoG recording.
"""

# %%
# A signal with known content
# ---------------------------
# Five seconds at 2048 Hz (BrainBERT's rate): two close slow rhythms (6 and
# 11 Hz) in the first half, and three 80-ms bursts at 120 Hz in the second.
import warnings

import matplotlib.pyplot as plt
import numpy as np

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import sample_path
from ieegrep.exceptions import IeegrepWarning
from ieegrep.preprocessing import preprocess, stft_spectrogram, superlet_spectrogram

sfreq = 2048.0
rng = np.random.default_rng(0)
times = np.arange(int(5 * sfreq)) / sfreq
signal = 0.2 * rng.standard_normal(times.size)
slow = times < 2.5
signal[slow] += np.sin(2 * np.pi * 6 * times[slow]) + np.sin(2 * np.pi * 11 * times[slow])
for centre in (3.0, 3.6, 4.2):
    burst = np.abs(times - centre) < 0.04
    signal[burst] += 1.5 * np.sin(2 * np.pi * 120 * times[burst])

# %%
# Both front ends give frames × frequencies: 40 frequencies up to 200 Hz, one
# frame every 50 samples (24.4 ms). The STFT uses a fixed 400-sample (195 ms)
# Hann window, so its frequency resolution is about 5 Hz at every frequency.
# Superlets combine wavelets of increasing order, which keeps time resolution
# at high frequencies and sharpens frequency resolution at low ones.
# ``normalize=None`` keeps the amplitude (the model's input is z-scored per
# frequency, shown below).
stft, stft_times, stft_freqs = stft_spectrogram(signal, sfreq, normalize=None, return_axes=True)
slet, slet_times, slet_freqs = superlet_spectrogram(signal, sfreq, normalize=None, return_axes=True)
print(f"STFT:     {stft.shape} (frames, frequencies), {stft_freqs[1] - stft_freqs[0]:.2f} Hz apart")
print(f"superlet: {slet.shape} (frames, frequencies), {slet_freqs[1] - slet_freqs[0]:.2f} Hz apart")


def show(ax, spec, t, f, title, fmax=200):
    """Draw one spectrogram (frames x frequencies) up to ``fmax`` Hz."""
    keep = f <= fmax
    mesh = ax.pcolormesh(t, f[keep], spec[:, keep].T, shading="nearest", cmap="magma")
    ax.set(title=title, xlabel="Time (s)", ylabel="Frequency (Hz)")
    return mesh


fig, axes = plt.subplots(2, 2, figsize=(10, 6), layout="constrained")
show(axes[0, 0], stft, stft_times, stft_freqs, "STFT")
show(axes[0, 1], slet, slet_times, slet_freqs, "Superlet")
show(axes[1, 0], stft, stft_times, stft_freqs, "STFT, 0-40 Hz", fmax=40)
show(axes[1, 1], slet, slet_times, slet_freqs, "Superlet, 0-40 Hz", fmax=40)
for ax in axes.ravel():
    ax.axvline(2.5, color="w", ls=":", lw=1)
fig.suptitle("6 + 11 Hz for 2.5 s, then three 120-Hz bursts")
plt.show()

# %%
# Compare the two in the slow band: the STFT's 195-ms window spreads each
# rhythm over bins 5 Hz wide for the whole segment, while the superlet adapts
# its wavelets to each frequency (short at high frequencies, long at low ones),
# which trades time resolution for frequency resolution where rhythms are slow.
# Both place the 120-Hz bursts at the right times.
#
# What the model sees
# -------------------
# With the default ``normalize="zscore"``, each frequency is z-scored over the
# window (after trimming 10 STFT frames or 5 superlet frames at each end, where
# the window or the wavelets run off the edge). This removes the 1/f slope, so
# high frequencies weigh as much as low ones.
stft_z = stft_spectrogram(signal, sfreq)
slet_z = superlet_spectrogram(signal, sfreq)
print(f"z-scored STFT {stft_z.shape}, superlet {slet_z.shape}")

# %%
# A seizure onset in real ECoG
# ----------------------------
# The bundled ECoG recording marks a seizure onset. We preprocess it as the
# models expect (line-noise notch, shaft/grid Laplacian, 2048 Hz), pick the
# channel whose power changes most at the onset, and compare both front ends
# over 8 s around it, in dB relative to the pre-onset mean.
paths = find_recordings(sample_path(), acquisition="ecog")
with warnings.catch_warnings():
    # the sample's unplaced contacts are explained in the BIDS example
    warnings.simplefilter("ignore", IeegrepWarning)
    recording = load_recording(paths[0])
clean = preprocess(recording, sfreq=2048)
onset = float(clean.events.query("trial_type == 'seizure_onset'").onset.iloc[0])
data = clean.raw.get_data()
at = int(onset * clean.sfreq)
change = np.abs(np.log(data[:, at:].var(axis=1) / data[:, :at].var(axis=1)))
channel = int(np.argmax(change))
start = at - int(4 * clean.sfreq)
segment = data[channel, start : start + int(8 * clean.sfreq)]

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", sharey=True)
for ax, method, name in zip(axes, (stft_spectrogram, superlet_spectrogram), ("STFT", "Superlet")):
    spec, t, f = method(segment, clean.sfreq, normalize=None, return_axes=True)
    power = 20 * np.log10(np.maximum(spec, 1e-30))
    power -= power[t < 4].mean(axis=0)
    mesh = ax.pcolormesh(t - 4, f, power.T, shading="nearest", cmap="RdBu_r", vmin=-15, vmax=15)
    ax.axvline(0, color="k", lw=1)
    ax.set(title=name, xlabel="Time from seizure onset (s)")
axes[0].set_ylabel("Frequency (Hz)")
fig.colorbar(mesh, ax=axes, label="dB re pre-onset")
fig.suptitle(f"{clean.name}, channel {clean.raw.ch_names[channel]} (Laplacian)")
plt.show()
