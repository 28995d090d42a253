#!/usr/bin/env python3
"""PyTorch-Python reference for bench/models/forward-backward.mjs: the same backbones
(torchvision's ResNet-50; ViT-S/16 built with torchvision's VisionTransformer), the same loss
mean(features**2), the same batch and threads. Prints one JSON line per architecture."""
import argparse, json, time
import torch, torchvision

parser = argparse.ArgumentParser()
parser.add_argument("--archs", default="resnet50,vit_small_16")
parser.add_argument("--batch", type=int, default=32)
parser.add_argument("--size", type=int, default=224)
parser.add_argument("--threads", type=int, required=True)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--device", default="cpu")
parser.add_argument("--amp", default="none", help="none or bf16 (autocast, as mveb-torch's default on CUDA)")
parser.add_argument("--channels-last", action="store_true")
args = parser.parse_args()
torch.set_num_threads(args.threads)

def build(arch):
    if arch == "resnet50":
        model = torchvision.models.resnet50()
        model.fc = torch.nn.Identity()
        return model
    if arch == "vit_small_16":
        model = torchvision.models.VisionTransformer(image_size=args.size, patch_size=16, num_layers=12, num_heads=6,
                                                     hidden_dim=384, mlp_dim=1536)
        model.heads = torch.nn.Identity()
        return model
    raise SystemExit(f"unknown arch {arch}")

for arch in args.archs.split(","):
    model = build(arch).train().to(args.device)
    images = torch.randn(args.batch, 3, args.size, args.size, device=args.device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    samples = []
    for i in range(args.repeats + 1):  # the first is a warm-up
        start = time.perf_counter()
        with torch.autocast(args.device.split(":")[0], dtype=torch.bfloat16, enabled=args.amp == "bf16"):
            features = model(images)
        loss = features.float().pow(2).mean()
        loss.backward()
        model.zero_grad(set_to_none=True)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        if i > 0:
            samples.append(time.perf_counter() - start)
    samples.sort()
    print(json.dumps({"impl": "python", "arch": arch, "batch": args.batch, "size": args.size, "threads": args.threads,
                      "device": args.device, "amp": args.amp, "channelsLast": args.channels_last, "torch": torch.__version__, "medianMs": 1000 * samples[len(samples) // 2], "samplesMs": [1000 * s for s in samples]}))
