"""Safe checkpoint reading and writing (ieegrep.models.checkpoints)."""

from __future__ import annotations

import json
import os
import pickle
import pickletools
import zipfile
from collections import OrderedDict

import pytest
import torch

from ieegrep.exceptions import (
    CheckpointError,
    CheckpointMismatchError,
    UnsafeCheckpointError,
)
from ieegrep.models.brainbert import BrainBERT
from ieegrep.models.checkpoints import (
    Checkpoint,
    file_sha256,
    load_state_dict_strict,
    read_checkpoint,
    save_checkpoint,
)

OFFICIAL = "brainbert_small_official.pth"
MODEL_CFG = {
    "name": "masked_tf_model",
    "hidden_dim": 192,
    "layer_dim_feedforward": 600,
    "layer_activation": "gelu",
    "nhead": 12,
    "encoder_num_layers": 3,
    "input_dim": 40,
}


def _official_shapes():
    shapes = {
        "input_encoding.in_proj.weight": (192, 40),
        "input_encoding.in_proj.bias": (192,),
        "input_encoding.positional_encoding.pe": (1, 5000, 192),
        "input_encoding.layer_norm.weight": (192,),
        "input_encoding.layer_norm.bias": (192,),
    }
    for i in range(3):
        prefix = f"transformer.layers.{i}."
        shapes |= {
            prefix + "self_attn.in_proj_weight": (576, 192),
            prefix + "self_attn.in_proj_bias": (576,),
            prefix + "self_attn.out_proj.weight": (192, 192),
            prefix + "self_attn.out_proj.bias": (192,),
            prefix + "linear1.weight": (600, 192),
            prefix + "linear1.bias": (600,),
            prefix + "linear2.weight": (192, 600),
            prefix + "linear2.bias": (192,),
        }
        for norm in ("norm1", "norm2"):
            shapes |= {prefix + f"{norm}.weight": (192,), prefix + f"{norm}.bias": (192,)}
    shapes |= {
        "spec_prediction_head.hidden_layer.weight": (192, 192),
        "spec_prediction_head.hidden_layer.bias": (192,),
        "spec_prediction_head.layer_norm.weight": (192,),
        "spec_prediction_head.layer_norm.bias": (192,),
        "spec_prediction_head.output.weight": (40, 192),
        "spec_prediction_head.output.bias": (40,),
    }
    return shapes


def _raw_tensors(path, keys):
    """Tensors of the official file read straight from its zip records (no unpickling).

    The ``model`` OrderedDict stores its tensors in insertion order, so the
    storage records are matched to keys by first appearance in ``data.pkl``.
    """
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        root = names[0].split("/")[0]
        pkl = archive.read(f"{root}/data.pkl")
        records = {}
        for name in names:
            if f"{root}/data/" in name:
                records[name.rsplit("/", 1)[1]] = archive.read(name)
    # persistent ids are ('storage', torch.FloatStorage, '<key>', 'cpu', numel)
    order = []
    for op, arg, _ in pickletools.genops(pkl):
        if op.name in ("BINUNICODE", "SHORT_BINUNICODE", "UNICODE") and arg in records:
            if arg not in order:
                order.append(arg)
    assert len(order) == len(keys)
    return dict(zip(keys, (records[key] for key in order)))


@pytest.mark.shared
def test_official_checkpoint_loads_bit_identical(shared):
    path = shared / "fixtures" / OFFICIAL
    checkpoint = read_checkpoint(path)
    assert isinstance(checkpoint, Checkpoint)
    assert checkpoint.format == "brainbert-official"
    assert checkpoint.model == "brainbert"
    assert checkpoint.config == MODEL_CFG
    assert all(type(value) in (str, int) for value in checkpoint.config.values())
    expected = _official_shapes()
    assert list(checkpoint.state_dict) == list(expected)
    for key, shape in expected.items():
        assert tuple(checkpoint.state_dict[key].shape) == shape, key
        assert checkpoint.state_dict[key].dtype == torch.float32
    # bytes of every tensor equal the file's storage records
    raw = _raw_tensors(path, list(expected))
    for key, tensor in checkpoint.state_dict.items():
        assert tensor.is_contiguous()
        assert tensor.numpy().tobytes() == raw[key][: tensor.numel() * 4], key
    manifest = json.loads((shared / "fixtures" / "MANIFEST.json").read_text())
    text = json.dumps(manifest)
    assert checkpoint.sha256 == file_sha256(path)
    assert checkpoint.sha256 in text
    run = checkpoint.provenance["run_config"]
    assert run["task"]["time_mask_p"] == 0.05
    assert run["criterion"] == {"name": "pretrain_masked_criterion", "alpha": 2}
    assert run["exp"]["runner"]["scheduler"]["total_steps"] == "${exp.runner.total_steps}"


@pytest.mark.shared
def test_official_checkpoint_into_model(shared):
    path = shared / "fixtures" / OFFICIAL
    model = BrainBERT.from_pretrained(path)
    assert not model.training
    assert model.config["d_model"] == 192 and model.config["d_ff"] == 600
    assert model.config["n_layers"] == 3 and model.config["n_heads"] == 12
    assert model.checkpoint_sha256_ == file_sha256(path)
    assert model.provenance_["format"] == "brainbert-official"
    state = read_checkpoint(path).state_dict
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert sum(p.numel() for p in model.parameters()) == 1_193_968


@pytest.mark.shared
def test_official_checkpoint_matches_documented_recipe(shared):
    """The fixture's weights recipe (seeded draws per parameter) gives the loaded tensors bit for bit."""
    state = read_checkpoint(shared / "fixtures" / OFFICIAL).state_dict
    model = BrainBERT.from_config("tiny")
    torch.manual_seed(1)
    names = [name for name, _ in model.named_parameters()]
    assert names == [key for key in state if not key.endswith(".pe")]
    for name, parameter in model.named_parameters():
        noise = torch.randn_like(parameter)
        if "norm" in name and name.endswith("weight"):
            expected = 1 + 0.1 * noise
        else:
            expected = 0.05 * noise
        assert torch.equal(state[name], expected), name
    # the sinusoidal table is deterministic; ours is the same to the last bit
    assert torch.equal(
        state["input_encoding.positional_encoding.pe"],
        model.input_encoding.positional_encoding.pe,
    )


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("container", ["torch-zip", "raw-pickle", "inside-official"])
def test_malicious_pickle_is_refused_never_run(tmp_path, container):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    if container == "torch-zip":
        torch.save({"model": _Payload(marker)}, path)
    elif container == "raw-pickle":
        path.write_bytes(pickle.dumps(_Payload(marker), protocol=2))
    else:  # looks like an official file, but model_cfg carries the payload
        torch.save(
            {
                "model": OrderedDict(w=torch.zeros(2)),
                "optim": {},
                "scheduler": None,
                "model_cfg": _Payload(marker),
            },
            path,
        )
    with pytest.raises(UnsafeCheckpointError) as info:
        read_checkpoint(path)
    assert "system" in str(info.value)
    assert info.value.file == str(path)
    assert not marker.exists()
    with pytest.raises(UnsafeCheckpointError):
        BrainBERT.from_pretrained(path)
    assert not marker.exists()


def test_round_trip_ieegrep_format(tmp_path):
    torch.manual_seed(0)
    model = BrainBERT.from_config("tiny", n_layers=1, max_len=300, dropout=0.0)
    path = model.save_pretrained(tmp_path / "m.pt", provenance={"steps": 12, "data": "sim"})
    checkpoint = read_checkpoint(path)
    assert checkpoint.format == "ieegrep" and checkpoint.model == "brainbert"
    assert checkpoint.config == model.config
    assert checkpoint.provenance["steps"] == 12
    assert checkpoint.provenance["torch_version"] == torch.__version__
    assert checkpoint.sha256 == file_sha256(path)
    loaded = BrainBERT.from_pretrained(path)
    assert loaded.config == model.config
    assert loaded.checkpoint_sha256_ == checkpoint.sha256
    for key, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key])
    # a model loaded from a file records it as the parent of what it saves next
    again = read_checkpoint(loaded.save_pretrained(tmp_path / "m2.pt"))
    assert again.provenance["parent_checkpoint_sha256"] == checkpoint.sha256
    # the ieegrep file needs nothing beyond torch's own weights-only loader
    assert torch.load(path, weights_only=True)["format_version"] == 1


def test_plain_state_dict_format(tmp_path):
    model = BrainBERT.from_config("tiny", n_layers=1, max_len=50)
    path = tmp_path / "weights.pt"
    torch.save(model.state_dict(), path)
    checkpoint = read_checkpoint(path)
    assert checkpoint.format == "state-dict" and checkpoint.model is None
    assert checkpoint.config == {}
    assert set(checkpoint.state_dict) == set(model.state_dict())
    # BrainBERT cannot guess its size from bare weights
    with pytest.raises(CheckpointError, match="format"):
        BrainBERT.from_pretrained(path)


def test_strict_mismatch_lists_every_key():
    model = BrainBERT.from_config("tiny", n_layers=1, max_len=50)
    state = dict(model.state_dict())
    del state["input_encoding.in_proj.bias"]
    del state["spec_prediction_head.output.weight"]
    state["extra.weight"] = torch.zeros(3)
    state["transformer.layers.0.linear1.weight"] = torch.zeros(7, 192)
    with pytest.raises(CheckpointMismatchError) as info:
        load_state_dict_strict(model, state, file="somewhere.pt")
    text = str(info.value)
    for key in (
        "input_encoding.in_proj.bias",
        "spec_prediction_head.output.weight",
        "extra.weight",
        "transformer.layers.0.linear1.weight",
        "(7, 192)",
        "somewhere.pt",
    ):
        assert key in text
    assert "2 missing, 1 unexpected, 1 shape-mismatched" in text


def test_from_pretrained_size_mismatch(tmp_path):
    path = BrainBERT.from_config("tiny", n_layers=1, max_len=50).save_pretrained(tmp_path / "a.pt")
    with pytest.raises(CheckpointMismatchError, match="linear1.weight"):
        BrainBERT.from_pretrained(path, d_ff=64)


def test_unreadable_and_missing_files(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        read_checkpoint(tmp_path / "nope.pth")
    junk = tmp_path / "junk.pth"
    junk.write_text("not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot be read"):
        read_checkpoint(junk)
    other = tmp_path / "list.pth"
    torch.save([1, 2, 3], other)
    with pytest.raises(CheckpointError, match="not a checkpoint format"):
        read_checkpoint(other)
    future = tmp_path / "future.pt"
    torch.save({"format": "ieegrep", "format_version": 99}, future)
    with pytest.raises(CheckpointError, match="format version"):
        read_checkpoint(future)


def test_save_checkpoint_validates_and_is_atomic(tmp_path):
    path = tmp_path / "c.pt"
    with pytest.raises(CheckpointError, match="plain type"):
        save_checkpoint(path, model="x", config={"f": object()}, state_dict={})
    with pytest.raises(CheckpointError, match="tensor"):
        save_checkpoint(path, model="x", config={}, state_dict={"a": [1.0]})
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary leftovers
    save_checkpoint(path, model="x", config={"a": [1, 2]}, state_dict={"w": torch.ones(2)})
    read = read_checkpoint(path)
    assert read.model == "x" and read.config == {"a": [1, 2]}
    assert torch.equal(read.state_dict["w"], torch.ones(2))


def test_wrong_model_family(tmp_path):
    path = tmp_path / "b.pt"
    save_checkpoint(path, model="barista", config={}, state_dict={"w": torch.ones(1)})
    with pytest.raises(CheckpointError, match="different model"):
        BrainBERT.from_pretrained(path)


def test_restricted_unpickler_refuses_builtins_not_listed(tmp_path):
    # eval is a builtin, but not on the allow-list
    data = b"\x80\x02c__builtin__\neval\nX\x04\x00\x00\x001+1\x85R."
    path = tmp_path / "eval.pkl"
    path.write_bytes(data)
    with pytest.raises(UnsafeCheckpointError, match="builtins.eval"):
        read_checkpoint(path)
