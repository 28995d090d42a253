# A checkpoint in the MVEB authors' layout (wlj6816/MVEB: project/model.py builds the model,
# project/pretrainer.py saves it), built from torchvision's ResNet-50, and what it computes.
# Their model: encoder = Sequential(*resnet.children()[:-1], Flatten) (keys encoder.0 = conv1,
# encoder.1 = bn1, encoder.4..7 = layer1..4); projector = Sequential of (Linear no bias, BN1d,
# ReLU), (Linear no bias, BN1d, ReLU), (Linear); momentum_encoder/momentum_projector deep copies;
# convert_sync_batchnorm, then DistributedDataParallel (keys prefixed "module."). Saved as
# {'model', 'optimizer', 'scaler', 'step', 'epoch', 'F'}.
#   authors_checkpoint.py OUT.pth.tar HIDDEN OUT_DIM IMAGES.npy RESULTS_PREFIX
import copy, sys
import numpy as np, torch, torchvision
from torch import nn
import torch.nn.functional as F

out, hidden, out_dim, images, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
torch.manual_seed(3)
resnet = torchvision.models.resnet50()

def projection(i, h, o):
    return nn.Sequential(nn.Sequential(nn.Linear(i, h, bias=False), nn.BatchNorm1d(h), nn.ReLU(inplace=True)),
                         nn.Sequential(nn.Linear(h, h, bias=False), nn.BatchNorm1d(h), nn.ReLU(inplace=True)),
                         nn.Sequential(nn.Linear(h, o)))

class SiameseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(*list(resnet.children())[:-1], nn.Flatten(1))
        self.projector = projection(2048, hidden, out_dim)
        self.momentum_encoder = copy.deepcopy(self.encoder)
        self.momentum_projector = copy.deepcopy(self.projector)

net = SiameseNet()
with torch.no_grad():
    # Every tensor distinct and away from its initial value; the target unlike the online branch.
    for module in net.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.weight.uniform_(0.5, 1.5)
            module.bias.uniform_(-0.2, 0.2)
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
            module.num_batches_tracked.fill_(1234)
    for p in list(net.momentum_encoder.parameters()) + list(net.momentum_projector.parameters()):
        p.mul_(0.9)
net.eval()
x = torch.from_numpy(np.load(images))
with torch.no_grad():
    np.save(prefix + "features.npy", net.encoder(x).numpy())
    np.save(prefix + "online.npy", F.normalize(net.projector(net.encoder(x))).numpy())
    np.save(prefix + "target.npy", F.normalize(net.momentum_projector(net.momentum_encoder(x))).numpy())
    resnet.fc = nn.Identity()
    assert torch.equal(resnet(x), net.encoder(x))  # the encoder is torchvision's ResNet-50 without fc

class DistributedDataParallel(nn.Module):  # its state dict: the wrapped module's, under "module."
    def __init__(self, module):
        super().__init__()
        self.module = module

synced = nn.SyncBatchNorm.convert_sync_batchnorm(net)
assert sum(isinstance(m, nn.SyncBatchNorm) for m in synced.modules()) == 2 * (53 + 2)
state = DistributedDataParallel(synced).state_dict()
torch.save({"model": state,
            "optimizer": {"state": {}, "param_groups": [{"lr": 0.0, "params": [0, 1]}]},
            "scaler": {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000, "_growth_tracker": 0},
            "step": 1234, "epoch": 3, "F": None}, out)
print(len(state))
