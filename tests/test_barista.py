"""BaRISTA encoder: parity with the authors' model, padding, validation, checkpoints."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
import torch

from ieegrep.exceptions import (
    CheckpointMismatchError,
    InvalidParameterError,
    ModelInputError,
)
from ieegrep.models.barista import AUTHORS_LICENCE, Barista, authors_vocabulary
from ieegrep.verbosity import logger

# fixture scale name -> (ieegrep scale, table rows)
SCALES = {"coords": ("channel", 200), "destrieux": ("parcel", 121), "lobes": ("lobe", 21)}


@pytest.fixture(scope="module")
def reference(shared):
    with np.load(shared / "fixtures" / "barista_reference.npz") as npz:
        return {key: npz[key] for key in npz.files}


def _state(reference, name):
    prefix = name + "/"
    return {
        key.split("/", 2)[2]: torch.from_numpy(value)
        for key, value in reference.items()
        if key.startswith(prefix + "param/") or key.startswith(prefix + "buffer/")
    }


def _fixture_model(reference, name):
    scale, rows = SCALES[name]
    model = Barista(scale, spatial_rows=rows, vocabulary=None)
    model.load_state_dict(_state(reference, name), strict=True)
    return model.eval()


def _padded_batch(reference, name):
    xs = [torch.from_numpy(reference[f"input/x_sample{i}"]).T for i in range(2)]
    index = [torch.from_numpy(reference[f"{name}/spatial_index_sample{i}"]) for i in range(2)]
    n_channels = max(x.shape[0] for x in xs)
    x = torch.randn(2, n_channels, xs[0].shape[1]) * 50  # garbage in the padding
    mask = torch.ones(2, n_channels, dtype=torch.bool)
    spatial = torch.full((2, n_channels, index[0].shape[1]), 10_000, dtype=torch.long)
    for i, (xi, si) in enumerate(zip(xs, index)):
        x[i, : len(xi)] = xi
        mask[i, : len(xi)] = False
        spatial[i, : len(xi)] = si
    if name != "coords":
        spatial = spatial[..., 0]
    return xs, index, x, spatial, mask


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(SCALES))
def test_parity_with_reference(reference, name):
    model = _fixture_model(reference, name)
    xs, index, x, spatial, mask = _padded_batch(reference, name)
    n_channels = x.shape[1]
    with torch.no_grad():
        batched = model.encode(x, spatial, mask)
        for i, (xi, si) in enumerate(zip(xs, index)):
            c = len(xi)
            expected = torch.from_numpy(reference[f"{name}/output_sample{i}"])
            got = batched[i].reshape(12, n_channels, -1)[:, :c].reshape(12 * c, -1)
            torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
            # padded tokens are zero
            if c < n_channels:
                assert batched[i].reshape(12, n_channels, -1)[:, c:].abs().max() == 0
            # alone, and through the intermediate stages
            alone = model.encode(xi[None], si[None] if name == "coords" else si[None, :, 0])[0]
            torch.testing.assert_close(alone, expected, rtol=1e-4, atol=1e-4)
            pooled = model.tokenize(xi[None])[0]
            torch.testing.assert_close(
                pooled,
                torch.from_numpy(reference[f"{name}/pooled_sample{i}"]),
                rtol=1e-4,
                atol=1e-4,
            )
            space = model.spatial_embedding(si[None] if name == "coords" else si[None, :, 0])[0]
            torch.testing.assert_close(
                space,
                torch.from_numpy(reference[f"{name}/spatial_embedding_sample{i}"]),
                rtol=1e-5,
                atol=1e-6,
            )
            tokens = torch.from_numpy(reference[f"{name}/tokens_sample{i}"])
            positions = torch.arange(12).repeat_interleave(c)
            layer0 = model.backbone.layers[0](tokens[None], positions)[0]
            torch.testing.assert_close(
                layer0,
                torch.from_numpy(reference[f"{name}/layer0_out_sample{i}"]),
                rtol=1e-4,
                atol=1e-4,
            )
        cnn = model.tokenizer.temporal_encoder(model.patch(xs[1][None])[0])
        torch.testing.assert_close(
            cnn, torch.from_numpy(reference[f"{name}/cnn_out_sample1"]), rtol=1e-4, atol=1e-4
        )


@pytest.mark.shared
def test_authors_checkpoint_and_vocabulary(reference, shared, tmp_path):
    """A weights-only state dict under the authors' names loads, scale inferred, labels mapped."""
    vocabulary_file = shared / "fixtures" / "barista_vocabulary.json"
    info = json.loads((shared / "fixtures" / "barista_reference.json").read_text())
    tables = info["batch"]["localization_tables"]
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger.addHandler(handler)
    try:
        for name, (scale, _rows) in SCALES.items():
            path = tmp_path / f"{name}.ckpt"
            torch.save(_state(reference, name), path)
            vocab = None if scale == "channel" else vocabulary_file
            model = Barista.from_pretrained(path, vocabulary=vocab)
            assert model.scale == scale
            assert model.provenance_["licence"] == AUTHORS_LICENCE
            assert len(model.checkpoint_sha256_) == 64
            if scale != "channel":
                column = "Destrieux" if scale == "parcel" else "DesikanKilliany"
                for i, table in enumerate(tables):
                    rows = model.vocabulary.index(table[column])
                    expected = reference[f"{name}/spatial_index_sample{i}"][:, 0]
                    np.testing.assert_array_equal(rows, expected)
            xs, index, x, spatial, mask = _padded_batch(reference, name)
            with torch.no_grad():
                out = model.encode(x[:1, : len(xs[0])], spatial[:1, : len(xs[0])])[0]
            torch.testing.assert_close(
                out, torch.from_numpy(reference[f"{name}/output_sample0"]), rtol=1e-4, atol=1e-4
            )
    finally:
        logger.removeHandler(handler)
    assert sum("non-commercial" in m for m in messages) == 3


@pytest.mark.shared
def test_authors_lobe_vocabulary_rules(shared):
    vocab = authors_vocabulary(shared / "fixtures" / "barista_vocabulary.json", "lobes")
    assert len(vocab) == 21
    rows = vocab.index(
        ["ctx-rh-superiorfrontal", "Left-Amygdala", "ctx_lh_G_temp_sup-Lateral", "Left-Caudate"]
    )
    assert rows.tolist() == [6, 1, 9, 0]
    # the reserved occipital rows are never used
    assert vocab.index(["ctx-lh-lateraloccipital", "ctx_rh_G_cuneus"]).tolist() == [0, 0]
    parcels = authors_vocabulary(shared / "fixtures" / "barista_vocabulary.json", "parcel")
    assert parcels.index(["ctx_rh_G_temporal_middle", "Right-Inf-Lat-Vent"]).tolist() == [92, 7]
    with pytest.raises(InvalidParameterError, match="does not exist"):
        authors_vocabulary(shared / "nope.json", "parcel")


def test_published_size_parameter_counts():
    # the digest's counts of the released checkpoints (trainable / with RoPE buffers)
    for scale, rows, params, elements in (
        ("channel", 200, 869_800, 869_896),
        ("parcel", 121, 839_144, 839_240),
        ("lobe", 21, 832_744, 832_840),
    ):
        model = Barista(scale, spatial_rows=rows, vocabulary=None)
        assert sum(p.numel() for p in model.parameters()) == params
        assert sum(v.numel() for v in model.state_dict().values()) == elements
    assert len(Barista("channel").state_dict()) == 185


def test_default_tables_follow_the_vocabularies():
    assert Barista.from_preset("tiny", "parcel").config["spatial_rows"] == 190
    assert Barista.from_preset("tiny", "lobe").config["spatial_rows"] == 40
    model = Barista.from_preset("tiny", "channel")
    assert model.config["spatial_rows"] == 200 and model.vocabulary is None
    table = model.tokenizer.spatial_encoder.subcomponent_embeddings
    assert len(table) == 3


def _tiny(scale="parcel", **kwargs):
    torch.manual_seed(0)
    return Barista.from_preset("tiny", scale, **kwargs).eval()


def test_token_order_is_time_major():
    model = _tiny()
    x = torch.randn(1, 3, 2048)
    tokens = model.tokenize(x)[0]
    n_channels, length = 3, model.patch_samples
    for t in range(4):
        for c in range(n_channels):
            alone = model.tokenize_patches(x[0, c, t * length : (t + 1) * length])
            torch.testing.assert_close(tokens[t * n_channels + c], alone, rtol=1e-5, atol=1e-6)


def test_padding_is_invisible():
    model = _tiny("lobe")
    x = torch.randn(2, 4, 1536)
    index = torch.tensor([[1, 5, 9, 2], [3, 3, 0, 7]])
    mask = torch.tensor([[False, False, False, False], [False, False, True, True]])
    with torch.no_grad():
        out = model.encode(x, index, mask)
        alone = model.encode(x[1:, :2], index[1:, :2])[0]
        x2 = x.clone()
        x2[1, 2:] = 1e3
        index2 = index.clone()
        index2[1, 2:] = 10_000  # out of range, ignored at padded channels
        out2 = model.encode(x2, index2, mask)
    grid = out[1].reshape(3, 4, -1)
    torch.testing.assert_close(grid[:, :2].reshape(6, -1), alone, rtol=1e-5, atol=1e-5)
    assert grid[:, 2:].abs().max() == 0
    torch.testing.assert_close(out, out2)
    # without padding, the real tokens do see every channel
    with torch.no_grad():
        unmasked = model.encode(x[1:], index[1:])[0].reshape(3, 4, -1)[:, :2].reshape(6, -1)
    assert (unmasked - alone).abs().max() > 1e-3


def test_channel_scale_coordinates():
    model = _tiny("channel")
    x = torch.randn(1, 3, 1024)
    coords = torch.tensor([[[100, 100, 100], [-1, -1, -1], [199, 0, 5]]])
    space = model.spatial_embedding(coords)
    tables = model.tokenizer.spatial_encoder.subcomponent_embeddings
    expected = tables[0].weight[199] + tables[1].weight[0] + tables[2].weight[5]
    torch.testing.assert_close(space[0, 2], expected)
    assert space[0, 1].abs().max() == 0  # no position, no embedding
    # integral floats are accepted, positions in mm are not
    torch.testing.assert_close(model.encode(x, coords.float()), model.encode(x, coords))
    with pytest.raises(ModelInputError, match="integers"):
        model.encode(x, coords.float() + 0.5)
    with pytest.raises(ModelInputError, match="outside"):
        model.encode(x, torch.tensor([[[100, -1, 100], [1, 2, 3], [4, 5, 6]]]))
    with pytest.raises(ModelInputError, match="outside"):
        model.encode(x, torch.tensor([[[200, 1, 1], [1, 2, 3], [4, 5, 6]]]))


def test_unknown_row_is_zero_and_stays_zero():
    model = _tiny("parcel").train()
    table = model.tokenizer.spatial_encoder.subcomponent_embeddings[0]
    assert table.weight[0].abs().max() == 0
    out = model.encode(torch.randn(1, 2, 512), torch.tensor([[0, 3]]))
    out.pow(2).sum().backward()
    assert table.weight.grad[0].abs().max() == 0
    assert table.weight.grad[3].abs().max() > 0


@pytest.mark.parametrize(
    "x, index, mask, match",
    [
        (torch.randn(2, 1000), None, None, "shape"),
        (torch.randn(1, 2, 1000), None, None, "multiple of the patch length"),
        (torch.randint(0, 3, (1, 2, 512)), None, None, "floating-point"),
        (torch.randn(1, 2, 512), torch.tensor([[1, 190]]), None, "outside"),
        (torch.randn(1, 2, 512), torch.tensor([[1, -2]]), None, "outside"),
        (torch.randn(1, 2, 512), torch.tensor([1, 2]), None, "shape"),
        (torch.randn(1, 2, 512), torch.tensor([[1, 2, 3]]), None, "shape"),
        (torch.randn(1, 2, 512), None, torch.tensor([[True, True]]), "every channel"),
        (torch.randn(1, 2, 512), None, torch.tensor([[0, 1]]), "bool"),
    ],
)
def test_invalid_inputs(x, index, mask, match):
    model = _tiny("parcel")
    index = torch.tensor([[1, 2]]) if index is None else index
    with pytest.raises(ModelInputError, match=match):
        model.encode(x, index, mask)


def test_non_finite_input_is_refused():
    model = _tiny()
    x = torch.randn(1, 2, 512)
    x[0, 1, 7] = float("nan")
    with pytest.raises(ModelInputError, match="NaN"):
        model.encode(x, torch.tensor([[1, 2]]))


def test_invalid_configuration():
    with pytest.raises(InvalidParameterError, match="scale"):
        Barista("voxel")
    with pytest.raises(InvalidParameterError, match="preset"):
        Barista(preset="huge")
    with pytest.raises(InvalidParameterError, match="heads"):
        Barista(d_model=64, n_heads=5)
    with pytest.raises(InvalidParameterError, match="n_times"):
        Barista(n_times=6000)


def test_save_and_load_roundtrip(tmp_path):
    model = _tiny("lobe")
    json.dumps(model.config)  # plain and JSON-able
    path = model.save_pretrained(tmp_path / "tiny.pt", provenance={"note": "test"})
    loaded = Barista.from_pretrained(path)
    assert loaded.config == model.config
    assert loaded.vocabulary == model.vocabulary
    x, index = torch.randn(2, 3, 1024), torch.tensor([[1, 2, 3], [4, 5, 0]])
    with torch.no_grad():
        torch.testing.assert_close(loaded.encode(x, index), model.encode(x, index))
    state = {k: v for k, v in model.state_dict().items() if "norm.weight" not in k}
    torch.save(state, tmp_path / "broken.ckpt")
    with pytest.raises(CheckpointMismatchError, match="missing"):
        Barista.from_pretrained(tmp_path / "broken.ckpt")


def test_region_tokens_use_the_model_vocabulary():
    model = _tiny("parcel")
    tokens = model.region_tokens(
        names=["a", "b", "c"], parcels=["Left-Hippocampus", "ctx_lh_G_front_sup", "n/a"]
    )
    rows = tokens.spatial_index["parcel"]
    assert rows[2] == 0 and rows[0] > 0 and rows[1] > 0
    assert model.vocabulary.label_of(rows[:2]) == ["Left-Hippocampus", "ctx_lh_G_front_sup"]
    out = model.encode(torch.randn(1, 3, 512), torch.as_tensor(rows)[None])
    assert out.shape == (1, 3, model.d_model)


@pytest.mark.parametrize(
    ("shape", "kernel", "dilation", "bias"),
    [((3, 1, 20), 3, 1, True), ((2, 4, 17), 3, 4, True), ((2, 3, 16), 5, 2, False),
     ((2, 4, 16), 1, 1, True)],
)  # fmt: skip
def test_cpu_convolution_matches_conv1d_gradients(shape, kernel, dilation, bias):
    """The tokenizer's CPU convolution (own backward) has conv1d's values and gradients."""
    from ieegrep.models.barista import _conv1d

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64, generator=generator, requires_grad=True)
    weight = torch.randn(
        (3, shape[1], kernel), dtype=torch.float64, generator=generator, requires_grad=True
    )
    b = torch.randn(3, dtype=torch.float64, generator=generator, requires_grad=True)
    b = b if bias else None
    padding = dilation * (kernel - 1) // 2
    inputs = (x, weight) + ((b,) if bias else ())

    def ours(*args):
        return _conv1d(args[0], args[1], args[2] if bias else None, dilation, padding)

    assert torch.autograd.gradcheck(ours, inputs)
    grad = torch.randn((shape[0], 3, shape[2]), dtype=torch.float64, generator=generator)
    expected = torch.autograd.grad(
        torch.nn.functional.conv1d(x, weight, b, padding=padding, dilation=dilation),
        inputs,
        grad,
    )
    got = torch.autograd.grad(ours(*inputs), inputs, grad)
    for e, g in zip(expected, got):
        torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-12)
