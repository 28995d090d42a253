// The MVEB authors' checkpoints (wlj6816/MVEB, project/model.py and pretrainer.py):
// torch.save({'model': DDP state dict, 'optimizer', 'scaler', 'step', 'epoch', 'F'}). Their
// backbone is nn.Sequential(*torchvision_resnet.children()[:-1], Flatten), so its keys are
// numbered children; their projector is three Sequentials (Linear, BN, ReLU), (Linear, BN,
// ReLU), (Linear), ours one flat Sequential of seven modules.
import type { StateDict } from '../pth.js';
import type { BranchWeights } from './branch.js';

// torchvision's ResNet children in order: 0 conv1, 1 bn1, 2 relu, 3 maxpool, 4–7 layer1–4.
const ENCODER_CHILDREN: Record<string, string> = {
  0: 'conv1',
  1: 'bn1',
  4: 'layer1',
  5: 'layer2',
  6: 'layer3',
  7: 'layer4',
};

const BRANCH_MODULES = {
  online: { encoder: 'encoder.', projector: 'projector.' },
  target: { encoder: 'momentum_encoder.', projector: 'momentum_projector.' },
} as const;

function withoutDdpPrefix(key: string): string {
  return key.startsWith('module.') ? key.slice('module.'.length) : key;
}

export function isAuthorsCheckpoint(model: StateDict): boolean {
  return Object.keys(model).some((k) => withoutDdpPrefix(k).startsWith('encoder.0.'));
}

/** 'encoder.4.0.conv1.weight' → 'layer1.0.conv1.weight'; undefined for a key that is not the backbone's. */
function encoderKey(rest: string): string | undefined {
  const [child, ...tail] = rest.split('.');
  const name = ENCODER_CHILDREN[child!];
  return name === undefined ? undefined : [name, ...tail].join('.');
}

/** 'projector.1.0.weight' (stage 1, module 0) → '3.weight' in our flat Sequential. */
function projectorKey(rest: string): string | undefined {
  const [stage, module, ...tail] = rest.split('.');
  const index = Number(stage) * 3 + Number(module);
  return Number.isInteger(index) && tail.length > 0 ? [String(index), ...tail].join('.') : undefined;
}

export function authorsBranches(model: StateDict): { online: BranchWeights; target?: BranchWeights; unused: string[] } {
  const unused: string[] = [];
  const branches: Record<'online' | 'target', BranchWeights> = {
    online: { backbone: {}, projector: {} },
    target: { backbone: {}, projector: {} },
  };
  for (const [key, tensor] of Object.entries(model)) {
    const name = withoutDdpPrefix(key);
    let placed = false;
    for (const branch of ['online', 'target'] as const) {
      const modules = BRANCH_MODULES[branch];
      const ours = name.startsWith(modules.encoder)
        ? encoderKey(name.slice(modules.encoder.length))
        : name.startsWith(modules.projector)
          ? projectorKey(name.slice(modules.projector.length))
          : undefined;
      if (ours === undefined) continue;
      branches[branch][name.startsWith(modules.encoder) ? 'backbone' : 'projector'][ours] = tensor;
      placed = true;
    }
    if (!placed) unused.push(key);
  }
  const hasTarget = Object.keys(branches.target.backbone).length > 0;
  return { online: branches.online, ...(hasTarget && { target: branches.target }), unused };
}
