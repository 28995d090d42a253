// Embedding health at the end of an epoch: per-dimension std, effective rank, alignment and
// uniformity of the last batch's two global views.
import type { Model } from '../models.js';
import { native, type EmbeddingHealth } from '../native.js';
import type { Tensor } from '../tensor.js';

// In eval mode: a train-mode forward would move the BN statistics, and a run resumed at an
// epoch's end (where this pass has no batch to look at) would then differ from an
// uninterrupted one.
export async function embeddingHealth(model: Model, views: Tensor[]): Promise<EmbeddingHealth> {
  await model.eval();
  try {
    const [z1, z2] = await model.embed(views.slice(0, 2));
    return await native().eval.embeddingHealth(z1!.handle, z2!.handle);
  } finally {
    await model.train();
  }
}
