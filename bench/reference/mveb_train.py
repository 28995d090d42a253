# The PyTorch-Python reference loop for `mveb-torch train --preset demo`: the same recipe —
# Fashion-MNIST (Debian's IDX files), two 28-px random-resized crops with flips, torchvision's
# ResNet-18 (zero-init residual, fc removed), the 3-layer projector, an EMA target, the MVEB loss
# with the Stein score estimator (float64 Cholesky solve, the authors' bandwidth element), SGD — with a
# DataLoader of worker processes. Prints one JSON line: steps, images/s after warm-up.
#   python3 bench/reference/mveb_train.py --steps 60 --threads 2 --workers 2
import argparse
import copy
import gzip
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms as T


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class TwoViews(Dataset):
    def __init__(self, images, size):
        self.images = images
        self.view = T.Compose([
            T.RandomResizedCrop(size, scale=(0.4, 1.0), interpolation=T.InterpolationMode.BICUBIC),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
        ])

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = Image.fromarray(self.images[i]).convert("RGB")
        return self.view(image), self.view(image)


def projector(width_in, hidden, out):
    return nn.Sequential(
        nn.Linear(width_in, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True),
        nn.Linear(hidden, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True),
        nn.Linear(hidden, out),
    )


def stein_score(z, eta=0.01, min_bandwidth=0.1):
    z = z.detach().double()
    similarity = z @ z.t()
    distances = (1 - similarity).flatten()
    # The authors' element: torch.topk(distances, n // 2)[0][-1], found by selection.
    n = distances.numel()
    bandwidth = distances.kthvalue(n - n // 2 + 1).values.clamp_min(min_bandwidth)
    kernel = (similarity / bandwidth).exp()
    gradient = (kernel.sum(1, keepdim=True) * z) / bandwidth
    system = kernel + eta * torch.eye(z.shape[0], dtype=z.dtype, device=z.device)
    return -torch.cholesky_solve(gradient, torch.linalg.cholesky(system)), bandwidth


def mveb_loss(online, targets, beta):
    alignment = ((online[0] * targets[1]).sum(1).mean() + (online[1] * targets[0]).sum(1).mean()) / 2
    uniformity = sum((-stein_score(z)[0].float() * z).sum(1).mean() for z in online) / len(online)
    return -alignment - beta * uniformity


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--out", type=int, default=512)
    parser.add_argument("--base-lr", type=float, default=0.5)
    parser.add_argument("--ema-base", type=float, default=0.99)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    images = read_idx(f"{args.data}/train-images-idx3-ubyte.gz")
    loader = DataLoader(TwoViews(images, args.size), batch_size=args.batch, shuffle=True, drop_last=True,
                        num_workers=args.workers, persistent_workers=True)
    backbone = torchvision.models.resnet18(zero_init_residual=True)
    backbone.fc = nn.Identity()
    online = nn.Sequential(backbone, projector(512, args.hidden, args.out))
    target = copy.deepcopy(online)
    for p in target.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.SGD(online.parameters(), lr=args.base_lr * args.batch / 256, momentum=0.9, weight_decay=1e-4)
    total = len(loader)
    step, timed_images, started = 0, 0, None
    while step < args.steps:
        for v1, v2 in loader:
            if step == args.warmup:
                started = time.perf_counter()
            lr = args.base_lr * args.batch / 256
            lr = lr / 1000 + (lr - lr / 1000) * (1 + math.cos(math.pi * step / total)) / 2
            for group in optimizer.param_groups:
                group["lr"] = lr
            z = [F.normalize(online(v), dim=1) for v in (v1, v2)]
            with torch.no_grad():
                t = [F.normalize(target(v), dim=1) for v in (v1, v2)]
            loss = mveb_loss(z, t, 0.01)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            m = 1 - (1 - args.ema_base) * (1 + math.cos(math.pi * step / total)) / 2
            with torch.no_grad():
                for pt, po in zip(target.parameters(), online.parameters()):
                    pt.mul_(m).add_(po, alpha=1 - m)
                for bt, bo in zip(target.buffers(), online.buffers()):
                    bt.copy_(bo)
            step += 1
            if step > args.warmup:
                timed_images += v1.shape[0]
            if step >= args.steps:
                break
    seconds = time.perf_counter() - started
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "steps": step, "timedSteps": step - args.warmup,
                      "batch": args.batch, "threads": args.threads, "workers": args.workers, "seconds": seconds,
                      "imagesPerSecond": timed_images / seconds, "lastLoss": loss.item()}))


if __name__ == "__main__":
    main()
