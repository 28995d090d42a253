# The authors' MVEB code (github.com/wlj6816/MVEB), transcribed line for line in float64 on the
# CPU, as the independent oracle of our Stein estimator and schedules. `.cuda()` becomes the keys'
# device (bench/reference/stein_authors.py times it on a GPU) and the class around the schedule
# methods is dropped; nothing here is taken from mveb-torch.
#   project/entropy.py:     entropy_gradeint, com_score, heuristic_kernel_width
#   project/pretrainer.py:  Pretrainer.adjust_lr, Pretrainer.adjust_mm
# Command line:
#   mveb_authors.py score Z.npy OUT.npy          writes the score (float64), prints the bandwidth
#   mveb_authors.py schedules JSON               {init_lr, warmup_steps, total_steps, base_mm, steps}
#                                                prints {"lr": [...], "mm": [...]}
import json
import sys

import numpy as np
import torch


def entropy_gradeint(keys):
    dlog_q = com_score(keys)
    grad_en = torch.mean(torch.sum(-dlog_q.detach() * keys, -1))
    return grad_en


@torch.no_grad()
def com_score(keys, eta=0.01):
    batch_size = keys.size()[0]
    pairwise_similar = torch.mm(keys, torch.t(keys))
    tau = heuristic_kernel_width(keys, keys, pairwise_similar)
    tau = torch.clamp(tau, min=0.1)
    Gram = torch.exp(pairwise_similar / tau)
    x_row = torch.unsqueeze(keys, -2)
    diff = x_row / tau
    grad_x = torch.sum(Gram.unsqueeze(-1) * diff, -2)
    Gram_ivs = torch.inverse(Gram + eta * torch.eye(batch_size, dtype=keys.dtype, device=keys.device))
    dlog_q = -torch.einsum('ik,kj->ij', [Gram_ivs, grad_x])
    return dlog_q


@torch.no_grad()
def heuristic_kernel_width(x_samples, x_basis, pairwise_similar):
    n_samples = x_samples.size()[-2]
    n_basis = x_basis.size()[-2]
    pairwise_dist = 1 - pairwise_similar
    k = n_samples * n_basis // 2
    top_k_values = torch.topk(torch.reshape(pairwise_dist, [-1, n_samples * n_basis]), k=k)[0]
    kernel_width = torch.reshape(top_k_values[:, -1], x_samples.size()[:-2])
    return kernel_width.detach()


def adjust_lr(init_lr, warmup_steps, total_steps, step):
    max_lr = init_lr
    min_lr = 1e-3 * init_lr
    if step < warmup_steps:
        lr = (max_lr - min_lr) * step / warmup_steps + min_lr
    else:
        lr = min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos((step - warmup_steps) * np.pi / total_steps))
    return lr


def adjust_mm(base_mm, total_steps, step):
    return 1 - (1 - base_mm) * (np.cos(np.pi * step / total_steps) + 1) / 2


if __name__ == '__main__':
    command = sys.argv[1]
    if command == 'score':
        keys = torch.from_numpy(np.load(sys.argv[2])).to(torch.float64)
        score = com_score(keys)
        np.save(sys.argv[3], score.numpy())
        tau = torch.clamp(heuristic_kernel_width(keys, keys, torch.mm(keys, torch.t(keys))), min=0.1)
        print(json.dumps({'bandwidth': float(tau)}))
    elif command == 'schedules':
        p = json.loads(sys.argv[2])
        print(json.dumps({
            'lr': [float(adjust_lr(p['init_lr'], p['warmup_steps'], p['total_steps'], s)) for s in p['steps']],
            'mm': [float(adjust_mm(p['base_mm'], p['total_steps'], s)) for s in p['steps']],
        }))
    else:
        raise SystemExit(f'unknown command {command}')
