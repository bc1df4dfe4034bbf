"""Data-parallel pretraining on an existing engine: ``torch.distributed`` and DDP.

The runner (:mod:`ieegrep.training.runner`) is the same in one process and in
many. Under ``torchrun`` (which sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``MASTER_ADDR`` and ``MASTER_PORT``) :func:`init_distributed` joins the process
group, the objective is wrapped in
:class:`~torch.nn.parallel.DistributedDataParallel` (gradients averaged over
the ranks after every backward pass) and the data are sharded by
:func:`shard`: every rank draws the *same* seeded permutation of the examples,
cuts the same global batch of ``batch_size * world_size`` indices from it and
keeps its own contiguous slice. Each step therefore sees the examples a single
process would see with the global batch, and the averaged gradient equals the
single-process gradient on the combined batch (for objectives whose loss is a
mean over examples and whose randomness does not depend on the rank; see
:func:`rank_seed`).

Only rank 0 writes files (state, history, model); the random states of every
rank are gathered into rank 0's training state so a resumed run continues
each rank's streams exactly. ``gloo`` serves CPU runs, ``nccl`` CUDA runs.

Example::

    torchrun --nproc-per-node 4 -m ieegrep.cli pretrain /data/bids --model barista --out runs/b --device cuda
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from ..exceptions import InvalidParameterError
from ..verbosity import logger

__all__ = [
    "DistributedContext",
    "init_distributed",
    "context",
    "shard",
    "rank_seed",
    "wrap",
    "unwrap",
    "all_gather",
    "mean_over_ranks",
    "barrier",
]


@dataclass(frozen=True)
class DistributedContext:
    """Where this process stands in a (possibly one-process) run.

    Attributes
    ----------
    rank : int, default 0
        This process's rank, ``0 .. world_size - 1``.
    world_size : int, default 1
        Number of processes (1 without ``torch.distributed``).
    local_rank : int, default 0
        Rank on this machine (picks the GPU).
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def distributed(self) -> bool:
        """Whether more than one process takes part."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Whether this process writes files and shows progress (rank 0)."""
        return self.rank == 0


def _env_int(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidParameterError(
            "A torch.distributed environment variable is not an integer.",
            field=name,
            value=value,
            fix="Launch with torchrun, which sets RANK, WORLD_SIZE and LOCAL_RANK.",
        ) from None


def init_distributed(device="cpu", *, backend: str | None = None) -> DistributedContext:
    """Join the process group described by the environment, if there is one.

    Parameters
    ----------
    device : str | torch.device
        Training device; decides the default backend (``"nccl"`` for CUDA,
        ``"gloo"`` otherwise).
    backend : str | None, default None
        Force a backend; None picks it from ``device``.

    Returns
    -------
    context : DistributedContext
        ``world_size == 1`` when ``WORLD_SIZE`` is unset or 1 and no group exists.
    """
    if dist.is_available() and dist.is_initialized():
        return context()
    world_size = _env_int("WORLD_SIZE", 1)
    if world_size <= 1:
        return DistributedContext()
    if not dist.is_available():  # pragma: no cover - builds without distributed
        raise InvalidParameterError(
            "This PyTorch build has no torch.distributed.",
            field="WORLD_SIZE",
            value=world_size,
            fix="Run in one process, or install a PyTorch build with distributed support.",
        )
    device = torch.device(device)
    if backend is None:
        backend = "nccl" if device.type == "cuda" else "gloo"
    local_rank = _env_int("LOCAL_RANK", 0)
    if device.type == "cuda":
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend=backend)
    logger.info("Joined a %s group: rank %d of %d", backend, dist.get_rank(), dist.get_world_size())
    return context()


def context() -> DistributedContext:
    """Return the current :class:`DistributedContext` (one process if no group).

    Returns
    -------
    context : DistributedContext
        This process's rank and the world size of the initialised group, or
        the one-process context.
    """
    if dist.is_available() and dist.is_initialized():
        return DistributedContext(
            rank=dist.get_rank(),
            world_size=dist.get_world_size(),
            local_rank=_env_int("LOCAL_RANK", dist.get_rank()),
        )
    return DistributedContext()


def shard(global_indices, ctx: DistributedContext):
    """Return this rank's contiguous slice of a global batch.

    Parameters
    ----------
    global_indices : sequence of int, length ``batch_size * world_size``
        The global batch, cut from the shared seeded permutation.
    ctx : DistributedContext
        This process.

    Returns
    -------
    local : list of int
        ``global_indices[rank * b : (rank + 1) * b]`` with ``b = len / world_size``.
    """
    global_indices = list(global_indices)
    per_rank, rest = divmod(len(global_indices), ctx.world_size)
    if rest:
        raise InvalidParameterError(
            "The global batch does not split evenly over the ranks.",
            field="global_indices",
            value=len(global_indices),
            fix=f"Use a global batch that is a multiple of {ctx.world_size}.",
        )
    return global_indices[ctx.rank * per_rank : (ctx.rank + 1) * per_rank]


def rank_seed(seed: int, rank: int) -> int:
    """Seed of a rank's objective generator, from the run's seed.

    Rank 0 of any run (and a one-process run) gets the same stream, derived
    from ``seed`` with :class:`numpy.random.SeedSequence`; other ranks get
    independent streams, so their masks differ from each other.

    Parameters
    ----------
    seed : int
        The run's seed.
    rank : int
        The process's rank.

    Returns
    -------
    seed : int
        A 63-bit seed for :meth:`torch.Generator.manual_seed`.
    """
    words = np.random.SeedSequence([int(seed), int(rank)]).generate_state(2, dtype=np.uint32)
    return int((int(words[0]) << 31) ^ int(words[1]))


def wrap(module: torch.nn.Module, ctx: DistributedContext, device, **ddp_options):
    """Wrap ``module`` in DistributedDataParallel for a multi-process run.

    Parameters
    ----------
    module : torch.nn.Module
        The objective (its trainable parameters are synchronised).
    ctx : DistributedContext
        This process.
    device : torch.device
        Where the module lives.
    **ddp_options
        Passed to :class:`~torch.nn.parallel.DistributedDataParallel`
        (default ``find_unused_parameters=True``: an objective may hold heads
        that a given loss does not use).

    Returns
    -------
    module : torch.nn.Module
        ``module`` itself in a one-process run.
    """
    if not ctx.distributed:
        return module
    from torch.nn.parallel import DistributedDataParallel

    ddp_options.setdefault("find_unused_parameters", True)
    device = torch.device(device)
    ids = [device.index if device.index is not None else ctx.local_rank]
    return DistributedDataParallel(
        module, device_ids=ids if device.type == "cuda" else None, **ddp_options
    )


def unwrap(module: torch.nn.Module) -> torch.nn.Module:
    """Return the module inside a DistributedDataParallel wrapper (or ``module``).

    Parameters
    ----------
    module : torch.nn.Module
        A model, wrapped by :func:`wrap` or not.

    Returns
    -------
    module : torch.nn.Module
        The wrapped model, or ``module`` itself when it is not wrapped.
    """
    return getattr(module, "module", module)


def all_gather(obj, ctx: DistributedContext) -> list:
    """Gather a picklable object from every rank (``[obj]`` in one process).

    Parameters
    ----------
    obj : object
        Any picklable object; every rank must call this.
    ctx : DistributedContext
        This process.

    Returns
    -------
    objects : list
        One object per rank, in rank order.
    """
    if not ctx.distributed:
        return [obj]
    out = [None] * ctx.world_size
    dist.all_gather_object(out, obj)
    return out


def mean_over_ranks(values: dict, ctx: DistributedContext) -> dict:
    """Average a dict of floats over the ranks (for logging).

    Parameters
    ----------
    values : dict of str to float
        The same keys on every rank.
    ctx : DistributedContext
        This process.

    Returns
    -------
    mean : dict of str to float
        Each value averaged over the ranks (the values themselves in one process).
    """
    if not ctx.distributed or not values:
        return dict(values)
    keys = sorted(values)
    tensor = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64)
    if dist.get_backend() == "nccl":
        tensor = tensor.cuda()
    dist.all_reduce(tensor)
    tensor = (tensor / ctx.world_size).cpu()
    return {k: float(v) for k, v in zip(keys, tensor)}


def barrier(ctx: DistributedContext) -> None:
    """Wait for every rank (no-op in one process).

    Parameters
    ----------
    ctx : DistributedContext
        This process.
    """
    if ctx.distributed:
        dist.barrier()
