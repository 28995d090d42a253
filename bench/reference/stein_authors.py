# Times the authors' Stein score (wlj6816/MVEB project/entropy.py: com_score with
# heuristic_kernel_width), as transcribed in test/reference/mveb_authors.py, on any device:
# the same formula with its tensors placed on the device (they call .cuda()). It forms the
# N x N x d product of Gram and the rows, so large N runs out of memory: reported, not hidden.
#   python3 bench/reference/stein_authors.py --sizes 256,1024 --dim 2048 --device cuda --repeats 5
# Prints one JSON line per size: {"n", "d", "device", "medianMs", "minMs"} or {"n", ..., "error"}.
import argparse
import json
import time

import torch


@torch.no_grad()
def heuristic_kernel_width(x_samples, x_basis, pairwise_similar):
    n_samples = x_samples.size()[-2]
    n_basis = x_basis.size()[-2]
    pairwise_dist = 1 - pairwise_similar
    k = n_samples * n_basis // 2
    top_k_values = torch.topk(torch.reshape(pairwise_dist, [-1, n_samples * n_basis]), k=k)[0]
    return torch.reshape(top_k_values[:, -1], x_samples.size()[:-2]).detach()


@torch.no_grad()
def com_score(keys, eta=0.01):
    batch_size = keys.size()[0]
    pairwise_similar = torch.mm(keys, torch.t(keys))
    tau = torch.clamp(heuristic_kernel_width(keys, keys, pairwise_similar), min=0.1)
    gram = torch.exp(pairwise_similar / tau)
    diff = torch.unsqueeze(keys, -2) / tau
    grad_x = torch.sum(gram.unsqueeze(-1) * diff, -2)
    gram_ivs = torch.inverse(gram + eta * torch.eye(batch_size, dtype=keys.dtype, device=keys.device))
    return -torch.einsum('ik,kj->ij', [gram_ivs, grad_x])


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
