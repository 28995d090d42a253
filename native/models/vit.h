// Vision Transformers ViT-S/16 and ViT-B/16 with timm/DINO parameter names
// (patch_embed.proj, cls_token, pos_embed, blocks.i.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}, norm),
// no classifier head. Features: the class token after the final norm.
#pragma once

#include <memory>
#include <string>

#include "models/backbone.h"

namespace mveb {

struct ViTOptions {
  int64_t embedDim = 384;
  int64_t depth = 12;
  int64_t heads = 6;
  int64_t patch = 16;
  int64_t imageSize = 224;  // position embeddings are learned for this size, interpolated for others
  double mlpRatio = 4.0;
};

ViTOptions vitSmall16();
ViTOptions vitBase16();

std::shared_ptr<Backbone> makeViT(const ViTOptions& options);

}  // namespace mveb
