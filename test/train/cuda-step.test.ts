// One training step on CUDA against the same step on the CPU: identical weights and views,
// fp32, bf16 autocast and fp16 with loss scaling. Runs where a CUDA device is present
// (bench/gpu/check.sh); skipped, with the reason printed, elsewhere.
import t from 'tap';
import { info } from '../../lib/index.js';
import { Tensor } from '../../lib/entries/ops.js';
import { createModel } from '../../lib/entries/models.js';
import { TrainingCore } from '../../lib/train/training-core.js';
import { relativeError } from '../helpers/numeric.js';

const cuda = info().cuda ? false : 'no CUDA device on this machine';
const stepOptions = { lr: 0.2, emaMomentum: 0.99, beta: 0.01 };

// fp32 on CUDA convolves in TF32 by default (cuDNN), so even fp32 agrees to ~1e-3 only.
const bounds = {
  fp32: { loss: 1e-3, update: 2e-2 },
  bf16: { loss: 3e-2, update: 1e-1 },
  fp16: { loss: 1e-2, update: 5e-2 },
};

async function flat(tensors: Record<string, Tensor>, prefix: string): Promise<Float64Array> {
  const parts: number[] = [];
  for (const [key, tensor] of Object.entries(tensors)) {
    if (!key.startsWith(prefix) || tensor.dtype !== 'float32') continue;
    for (const v of (await (await tensor.to('cpu')).toArray()) as Float32Array) parts.push(v);
  }
  return Float64Array.from(parts);
}

for (const precision of ['fp32', 'bf16', 'fp16'] as const) {
  t.test(
    `CUDA ${precision} step: loss, gradient norm and weight update match the CPU fp32 step`,
    { skip: cuda },
    async (t) => {
      const options = { arch: 'resnet18' as const, projector: { hidden: 128, out: 128 } };
      const cpuModel = createModel({ ...options, precision: 'fp32' });
      const gpuModel = createModel({ ...options, precision });
      await gpuModel.loadStateDict(await cpuModel.stateDict());
      await gpuModel.to('cuda');
      await cpuModel.train();
      await gpuModel.train();
      const before = await flat(await cpuModel.stateDict(), 'online.');
      // 2 global views of 64 images at 64 px and 2 local views at 32 px.
      const views = [
        await Tensor.randn([64, 3, 64, 64], { seed: 1 }),
        await Tensor.randn([64, 3, 64, 64], { seed: 2 }),
        await Tensor.randn([64, 3, 32, 32], { seed: 3 }),
        await Tensor.randn([64, 3, 32, 32], { seed: 4 }),
      ];
      const gpuViews = await Promise.all(views.map((v) => v.to('cuda')));
      const core = { optimizer: 'lars' as const, momentum: 0.9, weightDecay: 1e-6 };
      const onCpu = await new TrainingCore(cpuModel, core).step(views, stepOptions);
      const onGpu = await new TrainingCore(gpuModel, { ...core, lossScaling: precision === 'fp16' }).step(
        gpuViews,
        stepOptions,
      );
      t.equal(onGpu.skipped, false, 'the CUDA step is applied');
      const lossError = Math.abs(onGpu.loss - onCpu.loss) / Math.abs(onCpu.loss);
      t.ok(
        lossError <= bounds[precision].loss,
        `loss ${onGpu.loss} vs ${onCpu.loss} (relative ${lossError.toExponential(2)})`,
      );
      const normError = Math.abs(onGpu.gradNorm - onCpu.gradNorm) / onCpu.gradNorm;
      t.ok(normError <= bounds[precision].update * 2, `gradient norm ${onGpu.gradNorm} vs ${onCpu.gradNorm}`);
      const cpuAfter = await flat(await cpuModel.stateDict(), 'online.');
      const gpuAfter = await flat(await gpuModel.stateDict(), 'online.');
      const cpuUpdate = cpuAfter.map((v, i) => v - before[i]!);
      const gpuUpdate = gpuAfter.map((v, i) => v - before[i]!);
      const updateError = relativeError(gpuUpdate, cpuUpdate);
      t.ok(
        updateError <= bounds[precision].update,
        `weight update relative difference ${updateError.toExponential(2)}`,
      );
    },
  );
}
