# Oracle for `mveb-torch export --format torchvision|detectron2`: torchvision loads the .pth, and
# the .pkl is what Detectron2's tools/convert-torchvision-to-d2.py makes of that same .pth.
#   torchvision_detectron2_oracle.py ARCH TORCHVISION.pth DETECTRON2.pkl IMAGES.npy FEATURES_OUT.npy
import json, pickle, re, sys
import numpy as np, torch, torchvision

arch, tv_path, d2_path, images, features_out = sys.argv[1:6]
state = torch.load(tv_path)
model = getattr(torchvision.models, arch)()
result = model.load_state_dict(state, strict=False)
model.fc = torch.nn.Identity()
model.eval()
with torch.no_grad():
    np.save(features_out, model(torch.from_numpy(np.load(images))).numpy())

# The converter's renaming (read from its source, written here independently): a key outside
# the four stages goes under "stem."; layerN -> res(N+1); bnK -> convK.norm; downsample.0 ->
# shortcut, downsample.1 -> shortcut.norm. Values: .detach().numpy().
RENAMES = [
    (r"layer(\d)", lambda m: "res%d" % (int(m.group(1)) + 1)),
    (r"bn(\d)", lambda m: "conv%s.norm" % m.group(1)),
    (r"downsample\.0", lambda m: "shortcut"),
    (r"downsample\.1", lambda m: "shortcut.norm"),
]
def d2_name(key):
    name = key if "layer" in key else "stem." + key
    for pattern, replace in RENAMES:
        name = re.sub(pattern, replace, name)
    return name
expected = {d2_name(k): v.detach().numpy() for k, v in state.items()}

with open(d2_path, "rb") as f:
    d2 = pickle.load(f, encoding="latin1")  # as Detectron2's DetectionCheckpointer reads a .pkl
ours = d2["model"]
def same(a, b):
    return isinstance(a, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
print(json.dumps({
    "missing": result.missing_keys,
    "unexpected": result.unexpected_keys,
    "entries": sorted(d2.keys()),
    "author": d2["__author__"],
    "heuristics": d2["matching_heuristics"],
    "keys": list(ours.keys()),
    "expected_keys": list(expected.keys()),
    "differing": [k for k in expected if not same(ours.get(k), expected[k])],
    "dtypes": sorted({str(v.dtype) for v in ours.values()}),
}))
