"""BrainBERT encoder: parity with the reference outputs, padding, pooling, input checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from ieegrep.exceptions import InvalidParameterError, ModelInputError
from ieegrep.models.brainbert import PRESETS, BrainBERT, pool

ATOL = 1e-4


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def official(shared):
    model = BrainBERT.from_pretrained(shared / "fixtures" / "brainbert_small_official.pth")
    outputs = dict(np.load(shared / "fixtures" / "brainbert_small_official_outputs.npz"))
    return model, outputs


def _max_diff(a, b):
    a, b = (x.detach() if isinstance(x, torch.Tensor) else x for x in (a, b))
    return float(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)).max())


@pytest.mark.shared
def test_forward_parity_padded_batch(official):
    model, ref = official
    spec = torch.from_numpy(ref["input"])
    mask = torch.from_numpy(ref["pad_mask"])
    with torch.no_grad():
        hidden, layers = model.encode(spec, mask, all_layers=True)
        reconstruction = model(spec, mask)
    assert _max_diff(layers[0], ref["input_encoding_out"]) <= ATOL
    for i in range(3):
        assert _max_diff(layers[i + 1], ref[f"hidden_layer_{i}"]) <= ATOL
    # the reference computes padded rows too; we match them, not only valid frames
    assert _max_diff(hidden, ref["hidden"]) <= ATOL
    assert _max_diff(reconstruction, ref["reconstruction"]) <= ATOL
    assert hidden.shape == (2, 186, 192) and reconstruction.shape == (2, 186, 40)


@pytest.mark.shared
def test_padding_invariance_and_single_item(official):
    model, ref = official
    spec = torch.from_numpy(ref["input"])
    mask = torch.from_numpy(ref["pad_mask"])
    n_b = int(ref["lengths"][1])
    with torch.no_grad():
        hidden = model.encode(spec, mask)
        alone = model.encode(spec[1:, :n_b])
        reconstruction_alone = model(spec[1:, :n_b])
    assert _max_diff(alone, ref["hidden_b_alone"]) <= ATOL
    assert _max_diff(reconstruction_alone, ref["reconstruction_b_alone"]) <= ATOL
    assert _max_diff(hidden[1, :n_b], alone[0]) <= ATOL
    # without the mask the padded frames leak into row 1
    with torch.no_grad():
        leaky = model.encode(spec)
    assert _max_diff(leaky[1, :n_b], alone[0]) > 1e-2


@pytest.mark.shared
def test_pooling_parity(official):
    model, ref = official
    spec = torch.from_numpy(ref["input"])
    mask = torch.from_numpy(ref["pad_mask"])
    with torch.no_grad():
        hidden = model.encode(spec, mask)
        embedded = model.embed(spec, mask, pool="center")
    assert _max_diff(pool(hidden, "center", mask), ref["pooled_middle10"]) <= ATOL
    assert _max_diff(embedded, ref["pooled_middle10"]) <= ATOL
    assert _max_diff(embedded, ref["pooled_middle10_spec_pretrained"]) <= ATOL
    # without a mask, every row uses the padded length's centre (reference fine-tuning)
    assert _max_diff(pool(hidden, "center"), ref["pooled_middle10_finetune_padded_batch"]) <= ATOL
    # mean over valid frames
    lengths = ref["lengths"]
    expected = np.stack([ref["hidden"][i, : lengths[i]].mean(0) for i in range(2)])
    assert _max_diff(pool(hidden, "mean", mask), expected) <= ATOL
    assert _max_diff(model.embed(spec, mask, pool="mean"), expected) <= ATOL


def test_embed_center_equals_encode_then_pool():
    torch.manual_seed(3)
    model = BrainBERT.from_config("tiny", n_layers=2, max_len=200).eval()
    spec = torch.randn(3, 60, 40)
    mask = torch.zeros(3, 60, dtype=torch.bool)
    mask[1, 41:] = True
    mask[2, 25:] = True
    with torch.no_grad():
        for n_center in (1, 4, 10):
            fast = model.embed(spec, mask, n_center=n_center)
            slow = pool(model.encode(spec, mask), "center", mask, n_center=n_center)
            assert _max_diff(fast, slow) <= 1e-5
    index = pool(torch.arange(60.0)[None, :, None].expand(3, 60, 1), "center", mask, 10)
    # centre windows: m = length // 2, frames m-5 ... m+4
    assert index.flatten().tolist() == [29.5, 19.5, 11.5]


def test_cpu_inference_chunks_match_whole_batch(monkeypatch):
    """No-grad CPU inference splits the batch; results equal the unsplit (grad) path."""
    import ieegrep.models.brainbert as brainbert

    torch.manual_seed(4)
    model = BrainBERT.from_config("tiny", n_layers=2, max_len=200).eval()
    spec = torch.randn(7, 50, 40)
    mask = torch.zeros(7, 50, dtype=torch.bool)
    mask[2, 30:] = True  # padded rows in the first and last pieces only
    mask[6, 41:] = True
    whole_hidden = model.encode(spec, mask).detach()
    whole_embedding = model.embed(spec, mask).detach()
    assert whole_hidden.requires_grad is False
    monkeypatch.setattr(brainbert, "_CPU_CHUNK_FRAMES", 100)  # 2 windows per piece
    calls = []
    original = BrainBERT._embed_center

    def counted(self, *args):
        calls.append(args[0].shape[0])
        return original(self, *args)

    monkeypatch.setattr(BrainBERT, "_embed_center", counted)
    with torch.no_grad():
        assert _max_diff(model.encode(spec, mask), whole_hidden) <= 1e-5
        assert _max_diff(model.embed(spec, mask), whole_embedding) <= 1e-5
    assert calls == [2, 2, 2, 1]


def test_few_query_attention_equals_projected_attention():
    """The last layer's key/value-free attention equals projecting every frame."""
    torch.manual_seed(5)
    attention = BrainBERT.from_config("tiny", n_layers=1).transformer.layers[0].self_attn
    with torch.no_grad():
        attention.in_proj_bias.normal_()  # key and value biases must be handled, not zero
        x, queries = torch.randn(3, 40, 192), torch.randn(3, 6, 192)
        keep = torch.ones(3, 1, 1, 40, dtype=torch.bool)
        keep[1, ..., 25:] = False
        for mask in (None, keep):
            projected = attention(x, mask, 0.0, queries)
            assert _max_diff(attention.attend_few(x, mask, queries), projected) <= 1e-5


def test_shapes_presets_and_parameter_count():
    assert PRESETS["large"] == {"d_model": 768, "n_layers": 6, "n_heads": 12, "d_ff": 3072}
    large = BrainBERT.from_config("large")
    assert sum(p.numel() for p in large.parameters()) == 43_183_144
    assert len(large.state_dict()) == 83
    assert large.input_encoding.positional_encoding.pe.shape == (1, 5000, 768)
    del large
    model = BrainBERT.from_config("small", n_layers=1)
    assert model.config["d_model"] == 384 and model.config["d_ff"] == 1200
    spec = torch.randn(2, 30, 40)
    assert model.encode(spec).shape == (2, 30, 384)
    assert model(spec).shape == (2, 30, 40)
    rebuilt = BrainBERT(**model.config)
    assert set(rebuilt.state_dict()) == set(model.state_dict())


def test_matches_torch_transformer_encoder_sequence_first():
    """Same weights in a plain nn.TransformerEncoder (batch_first=False) give the same output."""
    torch.manual_seed(0)
    model = BrainBERT.from_config("tiny", n_layers=2, max_len=100).eval()
    with torch.no_grad():
        for parameter in model.parameters():  # break the init symmetries
            parameter.add_(0.05 * torch.randn_like(parameter))
    layer = nn.TransformerEncoderLayer(192, 12, 600, activation="gelu")
    reference = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False).eval()
    state = {
        key.removeprefix("transformer."): value
        for key, value in model.state_dict().items()
        if key.startswith("transformer.")
    }
    reference.load_state_dict(state)
    spec = torch.randn(2, 50, 40)
    mask = torch.zeros(2, 50, dtype=torch.bool)
    mask[0, 40:] = True
    with torch.no_grad():
        ours = model.encode(spec, mask)
        x = model.input_encoding(spec).transpose(0, 1)
        theirs = reference(x, src_key_padding_mask=mask).transpose(0, 1)
    assert _max_diff(ours[0, :40], theirs[0, :40]) <= 1e-5
    assert _max_diff(ours[1], theirs[1]) <= 1e-5


def test_dropout_only_in_training_and_gradients_flow():
    torch.manual_seed(0)
    model = BrainBERT.from_config("tiny", n_layers=1, max_len=64, dropout=0.5)
    spec = torch.randn(2, 20, 40)
    model.train()
    a, b = model(spec), model(spec)
    assert not torch.allclose(a, b)
    a.abs().mean().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(spec), model(spec))


@pytest.mark.parametrize(
    ("spec", "mask", "field"),
    [
        (torch.zeros(20, 40), None, "spec"),
        (torch.zeros(1, 20, 39), None, "spec.shape[2]"),
        (torch.zeros(1, 65, 40), None, "spec.shape[1]"),
        (torch.zeros(1, 20, 40, dtype=torch.long), None, "spec.dtype"),
        (torch.zeros(2, 20, 40), torch.zeros(2, 19, dtype=torch.bool), "padding_mask"),
        (torch.zeros(2, 20, 40), torch.zeros(2, 20), "padding_mask.dtype"),
        (torch.zeros(2, 20, 40), torch.ones(2, 20, dtype=torch.bool), "padding_mask"),
    ],
)
def test_input_errors(spec, mask, field):
    model = BrainBERT.from_config("tiny", n_layers=1, max_len=64)
    with pytest.raises(ModelInputError) as info:
        model.encode(spec, mask)
    assert info.value.field == field


def test_parameter_and_pool_errors():
    with pytest.raises(InvalidParameterError, match="n_heads"):
        BrainBERT(d_model=100, n_heads=12)
    with pytest.raises(InvalidParameterError, match="Unknown BrainBERT size"):
        BrainBERT.from_config("huge")
    with pytest.raises(InvalidParameterError, match="activation"):
        BrainBERT(activation="swish")
    hidden = torch.zeros(2, 8, 4)
    with pytest.raises(ModelInputError, match="fewer valid frames"):
        pool(hidden, "center")
    with pytest.raises(InvalidParameterError, match="pooling mode"):
        pool(hidden, "max")
    assert pool(hidden, "none") is hidden
    assert pool(hidden, "center", n_center=8).shape == (2, 4)
