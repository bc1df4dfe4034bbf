"""Benchmark ieegrep's encoders on this machine (prints figures; never asserts timing).

BrainBERT embedding throughput, large config (768 / 6 layers / 12 heads / FF 3072), CPU:

* ``BrainBERT.embed`` (batch-first, fused scaled-dot-product attention, no-padding
  shortcut, last layer evaluated only at the 10 pooled centre frames without projecting
  keys and values, CPU batches run a few windows at a time), against
* the reference way (BrainBERT notes §5.2): the same weights in a plain
  ``nn.TransformerEncoder`` of ``nn.TransformerEncoderLayer(batch_first=False)``, input
  transposed to ``(T, B, D)`` with a key-padding mask, output transposed back, then the
  mean of the 10 centre frames, under ``torch.no_grad``.

Both are timed interleaved (best of ``--repeats``), and reported as windows/s, their
ratio, their max abs difference, and the achieved model GFLOP/s (analytic count of the
full forward) as a fraction of a large float32 matmul measured in the same run.

Run: ``python benchmarks/bench_models.py [--batch 32] [--frames 186] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from ieegrep.models.brainbert import BrainBERT, pool


def matmul_gflops(n: int = 4096, repeats: int = 3) -> float:
    """Best float32 GFLOP/s of an ``n x n`` by ``n x n`` matmul."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def brainbert_flops(n_frames: int, config: dict, center_frames: int | None = None) -> float:
    """Multiply-add FLOPs (x2) of one window's encoder forward.

    ``center_frames`` counts the last layer the way ``BrainBERT.embed`` runs it: only
    at those query frames, with keys and values never projected (each head's query
    is moved into input space, then scores and the weighted mix act on the layer
    input; see ``_SelfAttention.attend_few``).
    """
    t, f, d, ff = n_frames, config["n_freqs"], config["d_model"], config["d_ff"]
    heads = config["n_heads"]

    def layer(queries):
        kv = 2 * t * d * 2 * d
        q = 2 * queries * d * d
        attention = 2 * 2 * queries * t * d
        out = 2 * queries * d * d
        feed_forward = 2 * 2 * queries * d * ff
        return kv + q + attention + out + feed_forward

    def few_query_layer(queries):
        q = 2 * queries * d * d
        q_to_input, value_projection = 2 * queries * d * d, 2 * queries * d * d
        scores_and_mix = 2 * 2 * heads * queries * t * d
        out = 2 * queries * d * d
        feed_forward = 2 * 2 * queries * d * ff
        return q + q_to_input + value_projection + scores_and_mix + out + feed_forward

    total = 2 * t * f * d + (config["n_layers"] - 1) * layer(t)
    return total + (few_query_layer(center_frames) if center_frames else layer(t))


def reference_encoder(model: BrainBERT) -> nn.TransformerEncoder:
    """The same weights in PyTorch's stock sequence-first encoder stack."""
    cfg = model.config
    layer = nn.TransformerEncoderLayer(
        cfg["d_model"], cfg["n_heads"], cfg["d_ff"], dropout=cfg["dropout"], activation="gelu"
    )
    encoder = nn.TransformerEncoder(layer, cfg["n_layers"], enable_nested_tensor=False)
    encoder.load_state_dict(
        {
            key.removeprefix("transformer."): value
            for key, value in model.state_dict().items()
            if key.startswith("transformer.")
        }
    )
    return encoder.eval()


def _seeded_large() -> BrainBERT:
    """The large config, seeded, with its init symmetries broken (no weights are bundled)."""
    torch.manual_seed(0)
    model = BrainBERT.from_config("large").eval()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.02 * torch.randn_like(parameter))
    return model


def embedding_throughput(batch: int, n_frames: int, repeats: int) -> None:
    """Print BrainBERT-large embedding throughput against the reference way."""
    model = _seeded_large()
    reference = reference_encoder(model)
    spec = torch.randn(batch, n_frames, model.config["n_freqs"])
    padding = torch.zeros(batch, n_frames, dtype=torch.bool)

    def reference_way():
        hidden = model.input_encoding(spec).transpose(0, 1)
        hidden = reference(hidden, src_key_padding_mask=padding).transpose(0, 1)
        return pool(hidden, "center")

    def ieegrep_way():
        return model.embed(spec, padding, pool="center")

    def ieegrep_bf16():
        # bf16 matmuls (avx512_bf16 / AMX where the CPU has them), float32 accumulation
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return model.embed(spec, padding, pool="center").float()

    def reference_bf16():
        # the reference way under the same autocast: what bf16 alone buys
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return reference_way().float()

    peak = matmul_gflops()
    ways = (
        ("reference", reference_way),
        ("ieegrep", ieegrep_way),
        ("reference bf16", reference_bf16),
        ("ieegrep bf16", ieegrep_bf16),
    )
    times = {name: [] for name, _ in ways}
    with torch.no_grad():
        outputs = {name: run() for name, run in ways}  # warm-up
        hidden_diff = (
            (
                model.encode(spec, padding)
                - reference(
                    model.input_encoding(spec).transpose(0, 1), src_key_padding_mask=padding
                ).transpose(0, 1)
            )
            .abs()
            .max()
        )
        for _ in range(repeats):
            for name, run in ways:
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
    full = brainbert_flops(n_frames, model.config)
    pruned = brainbert_flops(n_frames, model.config, center_frames=10)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"float32 matmul (4096^3): {peak:.1f} GFLOP/s")
    print(f"BrainBERT large, batch {batch} x {n_frames} frames, centre-10 pooled embeddings")
    print(
        f"  model FLOPs per window: {full / 1e9:.2f} GFLOP (ieegrep.embed does {pruned / 1e9:.2f})"
    )
    rates = {}
    for name, values in times.items():
        best = min(values)
        rates[name] = batch / best
        gflops = full * rates[name] / 1e9
        print(
            f"  {name:14s}: {rates[name]:7.2f} windows/s (best of {repeats}: {best:.3f} s/batch), "
            f"{gflops:.1f} model GFLOP/s = {gflops / peak:.0%} of matmul peak"
        )
    diff = (outputs["reference"] - outputs["ieegrep"]).abs().max()
    print(f"  speed-up ieegrep / reference: {rates['ieegrep'] / rates['reference']:.2f}x")
    ceiling = peak * 1e9 / pruned
    print(
        f"  float32 ceiling: ieegrep.embed's {pruned / 1e9:.2f} GFLOP per window at the matmul "
        f"peak would be {ceiling:.2f} windows/s = {ceiling / rates['reference']:.2f}x the "
        "reference; more than that in float32 needs fewer FLOPs, not faster kernels"
    )
    print(f"  max abs diff: pooled {float(diff):.2e}, per-frame hidden {float(hidden_diff):.2e}")
    bf16 = outputs["ieegrep bf16"]
    diff = (outputs["reference"] - bf16).abs().max()
    cosine = torch.nn.functional.cosine_similarity(outputs["reference"], bf16, dim=-1).min()
    scale = outputs["reference"].abs().mean()
    print(
        f"  speed-up ieegrep bf16 / reference: {rates['ieegrep bf16'] / rates['reference']:.2f}x "
        f"(max abs diff {float(diff):.2e} on values of mean magnitude {float(scale):.2f}; "
        f"smallest cosine similarity of an embedding {float(cosine):.6f})"
    )
    print(
        "  speed-up ieegrep bf16 / reference bf16: "
        f"{rates['ieegrep bf16'] / rates['reference bf16']:.2f}x"
    )


def bf16_decoding_check(n_splits: int = 5) -> None:
    """Does bf16 change what the embeddings decode? Real labelled data, fp32 vs bf16.

    Bern-Barcelona (``../shared/data/labelled``, research use, never bundled): 100
    bipolar pairs x 2 channels x 20 s at 512 Hz, focal vs non-focal, each record cut
    into four 5-s windows whose embeddings are averaged. The encoder is the large
    config with the seeded weights of :func:`embedding_throughput` (no released
    weights are bundled), so the AUROC itself says little; the point is the
    per-fold difference between the two precisions on identical folds.
    """
    import numpy as np
    from bench_real_decoding import SHARED, _classifier, embed  # this folder is on sys.path

    from ieegrep.decoding.embedders import BrainBERTEmbedder
    from ieegrep.decoding.splits import GroupedSplit, cross_validate_auroc

    path = SHARED / "labelled" / "bern_barcelona_50.npz"
    if not path.is_file():
        print(f"bf16 decoding check skipped: {path} not found")
        return
    data = np.load(path)
    X, y, sfreq = data["X"].astype(np.float64), data["y"].astype(int), float(data["fs"])
    n, c = X.shape[:2]
    model = _seeded_large()
    features, elapsed = {}, {}
    for precision in ("float32", "bfloat16"):
        embedder = BrainBERTEmbedder(model=model, sfreq=sfreq, precision=precision)
        start = time.perf_counter()
        features[precision] = embed(embedder, X, 4)
        elapsed[precision] = time.perf_counter() - start
    folds = list(GroupedSplit(n_splits).split(None, y, np.arange(n)))
    scores = {}
    for precision, values in features.items():
        scores[precision] = cross_validate_auroc(_classifier(), values, y, cv=folds).scores
    a, b = features["float32"], features["bfloat16"]
    cosine = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    print(
        f"bf16 decoding check, Bern-Barcelona ({n} records x {c} channels x 4 windows, "
        f"{n_splits} group folds), BrainBERT large (seeded weights):"
    )
    for precision in ("float32", "bfloat16"):
        print(
            f"  {precision:8s}: AUROC {scores[precision].mean():.4f} "
            f"(folds {np.round(scores[precision], 4).tolist()}), "
            f"embedding in {elapsed[precision]:.1f} s"
        )
    fold_diff = np.abs(scores["float32"] - scores["bfloat16"]).max()
    print(
        f"  largest per-fold AUROC difference {fold_diff:.4f}; "
        f"smallest record-embedding cosine similarity {cosine.min():.6f}"
    )


def pretraining_steps(steps: int = 5, batch: int = 32, n_frames: int = 186) -> None:
    """BrainBERT masked-spectrogram pretraining steps/s (objective + AdamW, no data loading).

    ``benchmarks/bench_pretraining.py`` times whole runs through the runner (data,
    checkpoints) on a simulated dataset.
    """
    from ieegrep.training.masked_spectrogram import MaskedSpectrogramObjective

    torch.manual_seed(0)
    for size in ("base", "large"):
        objective = MaskedSpectrogramObjective(BrainBERT.from_config(size)).train()
        optimiser = torch.optim.AdamW(objective.parameters(), lr=1e-4)
        generator = torch.Generator().manual_seed(0)
        spec = torch.randn(batch, n_frames, 40)
        elapsed = []
        for step in range(steps + 1):
            start = time.perf_counter()
            out = objective({"spec": spec}, generator)
            optimiser.zero_grad()
            out["loss"].backward()
            torch.nn.utils.clip_grad_norm_(objective.parameters(), 1.0)
            optimiser.step()
            if step:  # the first step pays for allocation
                elapsed.append(time.perf_counter() - start)
        best = min(elapsed)
        print(
            f"BrainBERT {size} pretraining, batch {batch} x {n_frames}: "
            f"{1 / best:.3f} steps/s ({batch / best:.1f} windows/s)"
        )


def barista_steps(steps: int = 5, batch: int = 8, n_channels: int = 64, scale: str = "parcel"):
    """BaRISTA latent-reconstruction pretraining steps/s (objective + AdamW, no data loading).

    The authors' architecture (preset ``"barista"``) on 3-s segments at 2048 Hz
    (12 patches x ``n_channels`` channels = 768 tokens per segment), parcel-scale
    encoding and masking.
    """
    from ieegrep.models.barista import Barista
    from ieegrep.training.latent_reconstruction import LatentReconstructionObjective

    torch.manual_seed(0)
    model = Barista.from_preset("barista", scale=scale)
    objective = LatentReconstructionObjective(model, masking_scale=scale).train()
    optimiser = torch.optim.AdamW(objective.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    rows = model.config["spatial_rows"]
    batch_data = {
        "x": torch.randn(batch, n_channels, model.config["n_times"]),
        "spatial_index": torch.randint(1, rows, (batch, n_channels)),
        "channel_mask": torch.zeros(batch, n_channels, dtype=torch.bool),
    }
    batch_data["group_ids"] = batch_data["spatial_index"].clone()
    elapsed = []
    for step in range(steps + 1):
        start = time.perf_counter()
        out = objective(batch_data, generator)
        optimiser.zero_grad()
        out["loss"].backward()
        torch.nn.utils.clip_grad_norm_(objective.parameters(), 1.0)
        optimiser.step()
        objective.after_step(step, steps + 1)
        if step:
            elapsed.append(time.perf_counter() - start)
    best = min(elapsed)
    n_tokens = batch * n_channels * model.config["n_times"] // model.patch_samples
    print(
        f"BaRISTA ({sum(p.numel() for p in model.parameters()):,} parameters, {scale} scale) "
        f"pretraining, batch {batch} x {n_channels} channels x 3 s: {1 / best:.3f} steps/s "
        f"({n_tokens / best:,.0f} tokens/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--frames", type=int, default=186)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--skip-pretraining", action="store_true")
    parser.add_argument("--skip-decoding", action="store_true", help="skip the bf16 decoding check")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    embedding_throughput(args.batch, args.frames, args.repeats)
    if not args.skip_decoding:
        bf16_decoding_check()
    if not args.skip_pretraining:
        pretraining_steps()
        barista_steps()


if __name__ == "__main__":
    main()
