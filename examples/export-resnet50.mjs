#!/usr/bin/env node
// Builds the MVEB ResNet-50 (backbone + projector + EMA target), saves its backbone with
// torchvision's key names, and prints the Python that loads it into torchvision.
//   node examples/export-resnet50.mjs [out.pth]
// (Outside this repository, import from 'mveb-torch/models' instead of the relative path.)
import { resolve } from 'node:path';
import { createModel, savePth } from '../dist/entries/models.js';

const out = resolve(process.argv[2] ?? 'resnet50-backbone.pth');
const model = createModel({ arch: 'resnet50' });
console.log(
  `ResNet-50 backbone: ${(model.parameterCount({ part: 'backbone' }) / 1e6).toFixed(2)}M parameters, ` +
    `projector: ${(model.parameterCount({ part: 'projector' }) / 1e6).toFixed(2)}M`,
);
await savePth(out, await model.stateDict({ part: 'backbone' }));
console.log(`saved ${out}`);
console.log('load it in Python with:');
console.log(
  `python3 -c "import torch, torchvision; m = torchvision.models.resnet50(); ` +
    `print(m.load_state_dict(torch.load('${out}'), strict=False))"`,
);
