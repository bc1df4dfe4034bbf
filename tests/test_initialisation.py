"""Mimetic attention initialisation: the products it sets, what it leaves, seeding, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ieegrep.exceptions import InvalidParameterError
from ieegrep.models import Barista, BrainBERT, mimetic_init


def _heads(qkv, n_heads):
    """Per head (W_q^T W_k), and the value weight."""
    d = qkv.shape[1]
    hd = d // n_heads
    q, k, v = qkv[:d], qkv[d : 2 * d], qkv[2 * d :]
    return [q[h * hd : (h + 1) * hd].T @ k[h * hd : (h + 1) * hd] for h in range(n_heads)], v


def _identity_weight(product):
    """Least-squares coefficient of the identity in ``product``."""
    return float(torch.trace(product) / product.shape[0])


def test_brainbert_query_key_products_lean_on_the_identity():
    torch.manual_seed(0)
    model = BrainBERT.from_config("tiny")
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    assert mimetic_init(model) is model
    n_heads, d = model.config["n_heads"], model.config["d_model"]
    head_dim = d // n_heads
    for index, layer in enumerate(model.transformer.layers):
        attn = layer.self_attn
        products, _ = _heads(attn.in_proj_weight.detach(), n_heads)
        for product in products:
            # best rank-d_h fit of 0.7 Z + 0.7 I: rank d_h, and the identity's share is
            # above 0.7 d_h / d (the top singular directions of Z + I lean on I); a
            # default Xavier product has about 0
            assert torch.linalg.matrix_rank(product) == head_dim
            assert 0.7 * head_dim / d < _identity_weight(product) < 0.3
        # post-norm BrainBERT: "auto" leaves the value and output weights alone
        prefix = f"transformer.layers.{index}.self_attn."
        assert torch.equal(attn.out_proj.weight, before[prefix + "out_proj.weight"])
        assert torch.equal(attn.in_proj_weight[2 * d :], before[prefix + "in_proj_weight"][2 * d :])
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert changed == {f"transformer.layers.{i}.self_attn.in_proj_weight" for i in range(3)}


def test_default_xavier_products_do_not():
    torch.manual_seed(0)
    model = BrainBERT.from_config("tiny")
    products, _ = _heads(model.transformer.layers[0].self_attn.in_proj_weight.detach(), 12)
    assert max(abs(_identity_weight(p)) for p in products) < 0.01


def test_barista_value_output_product_is_minus_identity_plus_noise():
    torch.manual_seed(0)
    model = Barista.from_preset("tiny", scale="channel")
    mimetic_init(model, seed=1)
    for layer in model.backbone.layers:
        attn = layer.attention
        products, v = _heads(attn.qkv_proj.weight.detach(), attn.n_heads)
        assert all(_identity_weight(p) > 0.1 for p in products)
        vo = attn.o_proj.weight.detach() @ v
        assert -0.5 < _identity_weight(vo) < -0.3
        off = vo + 0.4 * torch.eye(vo.shape[0])
        assert 0.2 < float(off.std() * vo.shape[0] ** 0.5) < 0.6  # 0.4 Z, Z ~ N(0, 1/d)
    out = model.encode(
        torch.randn(2, 3, model.config["n_times"]), torch.randint(0, 5, (2, 3, 3)).float()
    )
    assert torch.isfinite(out).all()


def test_seeded_and_optional_parts():
    def weights(**kwargs):
        torch.manual_seed(0)
        model = Barista.from_preset("tiny", scale="parcel")
        mimetic_init(model, **kwargs)
        return torch.cat([p.detach().flatten() for p in model.parameters()])

    assert torch.equal(weights(seed=4), weights(seed=4))
    assert not torch.equal(weights(seed=4), weights(seed=5))
    torch.manual_seed(0)
    untouched = torch.cat([p.detach().flatten() for p in Barista.from_preset("tiny").parameters()])
    assert torch.equal(weights(qk=None, vo=None), untouched)
    # the global random stream is not consumed
    torch.manual_seed(7)
    mimetic_init(Barista.from_preset("tiny"))
    after = torch.rand(3)
    torch.manual_seed(7)
    Barista.from_preset("tiny")
    assert torch.equal(after, torch.rand(3))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"qk": (0.7,)}, "qk"), ({"vo": (0.4, -1.0)}, "vo"), ({"qk": "big"}, "qk")],
)
def test_bad_settings_are_refused(kwargs, field):
    with pytest.raises(InvalidParameterError) as info:
        mimetic_init(BrainBERT.from_config("tiny", n_layers=1), **kwargs)
    assert info.value.field == field


def test_model_without_attention_is_refused():
    with pytest.raises(InvalidParameterError, match="no self-attention layer"):
        mimetic_init(nn.Linear(3, 3))
