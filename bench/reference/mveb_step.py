# The PyTorch-Python reference for bench/gpu/train-step.mjs: one MVEB training step of the
# paper's recipe on one device — torchvision's ResNet-50 (zero-init residual, fc removed), the
# 3-layer projector, an EMA target, 2 global + N local views each forwarded on its own, bf16
# autocast for the networks and the Stein score in float64 outside it (the authors' bandwidth
# element, Cholesky solve), LARS (no weight decay or adaptation on biases and norm weights), the
# EMA update. Views are fixed tensors already on the device: data loading is timed by neither.
#   python3 bench/reference/mveb_step.py --device cuda --batch 256 --steps 20 --warmup 5
# Prints one JSON line: steps timed, seconds, images/s (images = batch per step).
import argparse
import copy
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from mveb_train import projector, stein_score  # the demo reference's (same directory)


def mveb_loss(online, targets, beta):
    views = len(online)
    global_mean = (targets[0] + targets[1]) / 2
    alignment = (online[0] * targets[1]).sum(1).mean() + (online[1] * targets[0]).sum(1).mean()
    alignment = alignment + sum((z * global_mean).sum(1).mean() for z in online[2:])
    uniformity = sum((-stein_score(z)[0].to(z.dtype) * z).sum(1).mean() for z in online)
    return -alignment / views - beta * uniformity / views


class Lars(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.9, weight_decay=1e-6, trust=0.001):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, trust=trust))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if p.ndim > 1:
                    g = g.add(p, alpha=group["weight_decay"])
                    p_norm, g_norm = p.norm(), g.norm()
                    ratio = torch.where((p_norm > 0) & (g_norm > 0), group["trust"] * p_norm / g_norm, torch.ones_like(p_norm))
                    g = g * ratio
                state = self.state[p]
                if "mu" not in state:
                    state["mu"] = torch.zeros_like(p)
                mu = state["mu"].mul_(group["momentum"]).add_(g)
                p.add_(mu, alpha=-group["lr"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--global-size", type=int, default=224)
    parser.add_argument("--local-size", type=int, default=96)
    parser.add_argument("--local-crops", type=int, default=6)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--amp", default="bf16", help="bf16 or none")
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    backbone = torchvision.models.resnet50(zero_init_residual=True)
    backbone.fc = nn.Identity()
    online = nn.Sequential(backbone, projector(2048, 2048, 2048)).to(device).train()
    target = copy.deepcopy(online)
    for p in target.parameters():
        p.requires_grad_(False)
    memory = torch.channels_last if args.channels_last else torch.contiguous_format
    if args.channels_last:
        online = online.to(memory_format=memory)
        target = target.to(memory_format=memory)
    sizes = [args.global_size] * 2 + [args.local_size] * args.local_crops
    views = [torch.randn(args.batch, 3, s, s, device=device).contiguous(memory_format=memory) for s in sizes]
    optimizer = Lars(online.parameters(), lr=0.4 * args.batch / 256)
    amp = dict(device_type=device.type, dtype=torch.bfloat16, enabled=args.amp == "bf16")

    def step():
        with torch.autocast(**amp):
            z = [F.normalize(online(v).float(), dim=1) for v in views]
            with torch.no_grad():
                t = [F.normalize(target(v).float(), dim=1) for v in views[:2]]
        loss = mveb_loss(z, t, 0.01)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            torch._foreach_mul_(list(target.parameters()), 0.996)
            torch._foreach_add_(list(target.parameters()), list(online.parameters()), alpha=0.004)
            for bt, bo in zip(target.buffers(), online.buffers()):
                bt.copy_(bo)
        return loss.item()  # a device sync per step, as ours (its statistics)

    for _ in range(args.warmup):
        step()
    started = time.perf_counter()
    for _ in range(args.steps):
        last = step()
    seconds = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated(device) if device.type == "cuda" else None
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "device": str(device), "batch": args.batch,
                      "views": sizes, "amp": args.amp, "channelsLast": args.channels_last, "timedSteps": args.steps,
                      "seconds": seconds, "imagesPerSecond": args.steps * args.batch / seconds,
                      "peakMemoryBytes": peak, "lastLoss": last}))


if __name__ == "__main__":
    main()
