# Oracle for `mveb-torch export --format timm`: timm's VisionTransformer module tree for
# vit_small_patch16_224 / vit_base_patch16_224 with num_classes=0, written from timm's source
# (timm/models/vision_transformer.py, timm/layers: Block = norm1, attn (qkv, proj), ls1 Identity,
# norm2, mlp (fc1, GELU, fc2), ls2 Identity; LayerNorm eps 1e-6; qkv bias; class token;
# pos_embed over 1 + grid² tokens; head Identity). The export must load strictly; features are
# the class token after the final norm (global_pool 'token').
#   timm_oracle.py NAME WEIGHTS.pth [IMAGES.npy FEATURES_OUT.npy]
#   timm_oracle.py NAME --shapes            (the tree's names and shapes only)
import json, sys
import numpy as np, torch
from torch import nn

CONFIGS = {"vit_small_patch16_224": (384, 12, 6), "vit_base_patch16_224": (768, 12, 12)}

class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)
    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        weights = ((q * (c // self.heads) ** -0.5) @ k.transpose(-2, -1)).softmax(-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, n, c))

class Mlp(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)
    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim, eps=1e-6), Attention(dim, heads)
        self.norm2, self.mlp = nn.LayerNorm(dim, eps=1e-6), Mlp(dim)
    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))

class PatchEmbed(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, 16, 16)

class VisionTransformer(nn.Module):
    def __init__(self, dim, depth, heads, img_size=224):
        super().__init__()
        self.patch_embed = PatchEmbed(dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + (img_size // 16) ** 2, dim))
        self.blocks = nn.Sequential(*[Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
    def forward(self, images):
        x = self.patch_embed.proj(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        return self.norm(self.blocks(x))[:, 0]

name, weights = sys.argv[1:3]
model = VisionTransformer(*CONFIGS[name])
if weights == "--shapes":
    print(json.dumps({"shapes": {k: list(v.shape) for k, v in model.state_dict().items()},
                      "parameters": sum(p.numel() for p in model.parameters())}))
    sys.exit(0)
state = torch.load(weights)
model.load_state_dict(state, strict=True)
if len(sys.argv) > 3:
    model.eval()
    with torch.no_grad():
        np.save(sys.argv[4], model(torch.from_numpy(np.load(sys.argv[3]))).numpy())
print(json.dumps({"shapes": {k: list(v.shape) for k, v in state.items()}, "parameters": sum(p.numel() for p in model.parameters())}))
