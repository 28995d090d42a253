"""Compare the weights of two mveb-torch checkpoints with PyTorch (the independent reader).

Prints one JSON object: the largest relative difference over every float tensor of the model
(online and target, parameters and BN statistics): max |a - b| / max(max |b|, 1e-12), per tensor.
"""
import json
import sys

import torch

a = torch.load(sys.argv[1], map_location="cpu")["model"]
b = torch.load(sys.argv[2], map_location="cpu")["model"]
assert a.keys() == b.keys(), "different keys"
worst, worst_key = 0.0, None
for key in a:
    x, y = a[key], b[key]
    if not torch.is_floating_point(x):
        assert torch.equal(x, y), key
        continue
    x, y = x.double(), y.double()
    rel = ((x - y).abs().max() / y.abs().max().clamp_min(1e-12)).item()
    if rel > worst:
        worst, worst_key = rel, key
print(json.dumps({"maxRelative": worst, "key": worst_key, "tensors": len(a)}))
