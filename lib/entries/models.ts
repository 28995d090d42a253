// mveb-torch/models: the backbones and MVEB's Siamese model, and .pth state dicts in and out.
export { createModel, Model, ARCHITECTURES } from '../models.js';
export type { Architecture, ModelOptions, ModelPart } from '../models.js';
export { savePth, loadPth } from '../pth.js';
export type { StateDict } from '../pth.js';
