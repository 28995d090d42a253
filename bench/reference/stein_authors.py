# Times the authors' Stein score (wlj6816/MVEB project/entropy.py: com_score with
# heuristic_kernel_width), as transcribed in test/reference/mveb_authors.py, on any device
# (its tensors follow the keys' device, as the authors' .cuda()). It forms the
# N x N x d product of Gram and the rows, so large N runs out of memory: reported, not hidden.
#   python3 bench/reference/stein_authors.py --sizes 256,1024 --dim 2048 --device cuda --repeats 5
# Prints one JSON line per size: {"n", "d", "device", "medianMs", "minMs"} or {"n", ..., "error"}.
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'reference'))
from mveb_authors import com_score  # noqa: E402  (the one transcription of the authors' code)


def sync(device):
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', default='256,1024')
    parser.add_argument('--dim', type=int, default=2048)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    for n in map(int, args.sizes.split(',')):
        generator = torch.Generator().manual_seed(n)
        keys = torch.randn(n, args.dim, generator=generator)
        keys = (keys / keys.norm(dim=1, keepdim=True)).to(args.device)
        row = {'n': n, 'd': args.dim, 'device': args.device, 'torch': torch.__version__}
        try:
            com_score(keys)
            sync(args.device)
            samples = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                com_score(keys)
                sync(args.device)
                samples.append((time.perf_counter() - start) * 1000)
            samples.sort()
            row.update(medianMs=samples[len(samples) // 2], minMs=samples[0])
        except (RuntimeError, MemoryError) as error:  # torch.cuda.OutOfMemoryError is a RuntimeError
            row['error'] = str(error).splitlines()[0][:200]
            if args.device.startswith('cuda'):
                torch.cuda.empty_cache()
        print(json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
