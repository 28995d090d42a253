// Models with non-trivial weights and BatchNorm statistics, saved as real mveb-torch checkpoints.
import { Tensor } from '../../lib/entries/ops.js';
import { createModel, type Model, type ModelOptions } from '../../lib/entries/models.js';
import { saveCheckpoint } from '../../lib/train/checkpoint.js';
import { resolveConfig, type TrainConfig } from '../../lib/train/config.js';
import { TrainingCore } from '../../lib/train/training-core.js';

/** Residual branches not zeroed and running statistics moved off (0, 1), so every tensor matters. */
export async function modelWithStatistics(options: ModelOptions, imageSize = 64): Promise<Model> {
  const model = createModel({ zeroInitResidual: false, ...options });
  await model.train();
  await model.backboneFeatures(await Tensor.randn([4, 3, imageSize, imageSize], { seed: 11 }));
  await model.eval();
  return model;
}

/** The model as a training checkpoint in `dir` (epoch 1, step 7), as the trainer writes it. */
export async function checkpointOf(model: Model, dir: string, config: Partial<TrainConfig>): Promise<string> {
  const trainer = new TrainingCore(model, { optimizer: 'sgd', momentum: 0.9, weightDecay: 0 });
  const full = resolveConfig({ flags: { data: 'synthetic', ...config } });
  return saveCheckpoint(dir, { model, trainer, position: { epoch: 1, batch: 0, step: 7 }, config: full, lr: 0.1 });
}

export async function floats(tensor: Tensor): Promise<Float32Array> {
  return (await tensor.toArray()) as Float32Array;
}
