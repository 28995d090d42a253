# The reference: torchvision's functional tensor transforms applied per sample with
# the parameters our native code drew. argv: images.npy then pairs of params.json out.npy
# (one Python start for every case).
import json
import sys

import numpy as np
import torch
import torchvision.transforms.functional as F

images = np.load(sys.argv[1])
jitter_ops = [
    lambda x, f: F.adjust_brightness(x, f),
    lambda x, f: F.adjust_contrast(x, f),
    lambda x, f: F.adjust_saturation(x, f),
    lambda x, f: F.adjust_hue(x, f),
]


def reference(config):
    params, spec = config["params"], config["spec"]
    out = []
    for n in range(images.shape[0]):
        x = torch.from_numpy(images[n]).permute(2, 0, 1).float() / 255.0
        if params["jitter"][n]:
            for op in params["order"][4 * n : 4 * n + 4]:
                x = jitter_ops[op](x, params["factors"][4 * n + op])
        if params["grayscale"][n]:
            x = F.rgb_to_grayscale(x, num_output_channels=3)
        if params["blur"][n]:
            k = config["blurKernel"]
            s = params["sigma"][n]
            x = F.gaussian_blur(x, [k, k], [s, s])
        if params["solarize"][n]:
            x = F.solarize(x, spec["solarizeThreshold"])
        x = F.normalize(x, spec["mean"], spec["std"])
        out.append(x)
    return torch.stack(out).numpy().astype(np.float32)


for config_path, out_path in zip(sys.argv[2::2], sys.argv[3::2]):
    np.save(out_path, reference(json.load(open(config_path))))
