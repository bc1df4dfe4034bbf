"""Two gloo processes give the gradients of one process on the combined batch.

The objective here is deterministic (no mask drawn, no dropout): each rank's
mask generator is seeded per rank (:func:`rank_seed`), so a random objective
would mask the same example differently in the two set-ups. With a
deterministic per-example loss averaged over the batch, DDP's averaged
gradient must equal the single-process gradient on the global batch.
"""

from __future__ import annotations

import os
import socket

import pytest
import torch
import torch.multiprocessing as mp
from test_runner import ToyDataset, ToyModel
from torch import nn

from ieegrep.exceptions import InvalidParameterError
from ieegrep.training import distributed
from ieegrep.training.runner import pretrain

SETTINGS = dict(
    n_steps=2, batch_size=3, lr=1e-2, seed=11, warmup_steps=0, checkpoint_every=1, progress=False
)


class DeterministicObjective(nn.Module):
    """Predict each example from itself shifted by one feature; mean over the batch."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.seen = []

    def forward(self, batch, generator):
        x = batch["x"]
        self.seen.append(batch["index"].tolist())
        target = torch.roll(x, 1, dims=1)
        return {
            "loss": ((self.model(x) - target) ** 2).mean(),
            "baseline_loss": (target**2).mean().detach(),
        }


def _objective():
    torch.manual_seed(0)
    return DeterministicObjective(ToyModel(dropout=0.0))


def _record(folder, rank):
    def hook(step, objective, metrics):
        if step == 1:
            grads = {n: p.grad.detach().clone() for n, p in objective.named_parameters()}
            torch.save(grads, os.path.join(folder, f"grads-{rank}.pt"))
        if step == SETTINGS["n_steps"]:
            params = {n: p.detach().clone() for n, p in objective.named_parameters()}
            torch.save(
                {"params": params, "seen": objective.seen},
                os.path.join(folder, f"final-{rank}.pt"),
            )

    return hook


def _worker(rank, world_size, port, folder):
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world_size),
    )
    torch.set_num_threads(1)
    try:
        pretrain(
            _objective(),
            ToyDataset(),
            out_dir=os.path.join(folder, "run"),
            step_hook=_record(folder, rank),
            grad_clip=None,
            **SETTINGS,
        )
    finally:
        if torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_two_gloo_ranks_equal_one_process_on_combined_batch(tmp_path):
    mp.spawn(_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    single = tmp_path / "single"
    single.mkdir()
    settings = {**SETTINGS, "batch_size": 2 * SETTINGS["batch_size"]}
    pretrain(
        _objective(),
        ToyDataset(),
        out_dir=single / "run",
        step_hook=_record(str(single), 0),
        grad_clip=None,
        **settings,
    )
    reference = torch.load(single / "grads-0.pt")
    for rank in range(2):
        grads = torch.load(tmp_path / f"grads-{rank}.pt")
        assert grads.keys() == reference.keys()
        for name in reference:
            torch.testing.assert_close(grads[name], reference[name], rtol=0, atol=1e-6)
    # the ranks saw disjoint halves of the single process's batches, in order
    seen = [torch.load(tmp_path / f"final-{r}.pt")["seen"] for r in range(2)]
    single_final = torch.load(single / "final-0.pt")
    for step in range(SETTINGS["n_steps"]):
        assert seen[0][step] + seen[1][step] == single_final["seen"][step]
        assert not set(seen[0][step]) & set(seen[1][step])
    for name, value in single_final["params"].items():
        final = torch.load(tmp_path / "final-1.pt")["params"][name]
        torch.testing.assert_close(final, value, rtol=0, atol=1e-6)
    # rank 0 alone wrote the run folder; the state holds both ranks' random states
    state = torch.load(tmp_path / "run" / "state.pt", weights_only=True)
    assert len(state["rng"]) == 2 and state["settings"]["world_size"] == 2
    assert (tmp_path / "run" / "model.pt").exists()


def test_shard_and_rank_seed():
    ctx = distributed.DistributedContext(rank=1, world_size=3)
    assert distributed.shard(range(6), ctx) == [2, 3]
    with pytest.raises(InvalidParameterError):
        distributed.shard(range(7), ctx)
    assert distributed.rank_seed(5, 0) == distributed.rank_seed(5, 0)
    assert distributed.rank_seed(5, 0) != distributed.rank_seed(5, 1)
    assert distributed.context() == distributed.DistributedContext()
