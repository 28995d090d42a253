// One branch of a Siamese model as every weights reader returns it.
import type { StateDict } from '../pth.js';

export interface BranchWeights {
  /** torchvision (ResNet) or timm (ViT) names. */
  backbone: StateDict;
  /** mveb-torch's projector names ('0.weight', '1.running_mean', …, '6.bias'); empty when absent. */
  projector: StateDict;
}
