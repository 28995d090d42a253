// Experiments that reproduce claims of the paper with the package's own parts.
import { native, type CollapseStudyOptions, type CollapseStudyResult } from './native.js';
import type { Tensor } from './tensor.js';

export type { CollapseStudyOptions, CollapseStudyResult };

/**
 * The paper's collapse study in miniature (fig. 4): a small MLP encoder with an EMA target,
 * trained with the MVEB loss on two augmented views of `images` (uint8 [M, H, W]).
 * `embeddingStd` is the mean per-dimension std of the L2-normalised embeddings across the
 * batch: near 0 means collapse (β = 0), around 1/√d means spread.
 */
export async function collapseStudy(
  images: Tensor<'uint8'>,
  options: CollapseStudyOptions = {},
): Promise<CollapseStudyResult> {
  return native().experiments.collapseStudy(images.handle, options);
}
