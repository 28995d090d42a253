"""Compare the weights of two mveb-torch checkpoints with PyTorch (the independent reader).

Prints one JSON object over every float tensor of the model (online and target, parameters and
BN statistics), A against B:
  maxRelative  max |a - b| / max |b| per tensor, over tensors with max |b| >= 1e-3 (a tensor
               still near zero, such as an EMA target's BN bias after a few steps, has no
               meaningful relative difference);
  maxAbsolute  max |a - b| over all tensors.
"""
import json
import sys

import torch

a = torch.load(sys.argv[1], map_location="cpu")["model"]
b = torch.load(sys.argv[2], map_location="cpu")["model"]
assert a.keys() == b.keys(), "different keys"
relative, relative_key, absolute, absolute_key = 0.0, None, 0.0, None
for key in a:
    x, y = a[key], b[key]
    if not torch.is_floating_point(x):
        assert torch.equal(x, y), key
        continue
    x, y = x.double(), y.double()
    difference = (x - y).abs().max().item()
    scale = y.abs().max().item()
    if difference > absolute:
        absolute, absolute_key = difference, key
    if scale >= 1e-3 and difference / scale > relative:
        relative, relative_key = difference / scale, key
print(json.dumps({"maxRelative": relative, "key": relative_key, "maxAbsolute": absolute, "absoluteKey": absolute_key,
                  "tensors": len(a)}))
