// `mveb-torch info` through a given build of the addon: what both build flavours must report.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { cli, distOps, root } from './paths.js';
import { join } from 'node:path';

export const expectedTorch = JSON.parse(
  execFileSync(process.execPath, [join(root, 'lib', 'addon', 'find-libtorch.mjs')], { encoding: 'utf8' }),
) as { version: string; cuda: boolean; gloo: boolean };

export function infoJson(addon?: string): Record<string, any> {
  const env = { ...process.env };
  if (addon) env.MVEB_ADDON = addon;
  return JSON.parse(execFileSync(process.execPath, [cli, 'info', '--json'], { encoding: 'utf8', env }));
}

/** A build of the addon loads and reports the LibTorch it was built against; every part works. */
export function checkBuild(flavour: 'cmake-js' | 'node-gyp', addon: string): void {
  t.test(`the ${flavour} build loads and reports the LibTorch it was built against`, async (t) => {
    const report = infoJson(addon);
    t.equal(report.build.flavour, flavour);
    t.equal(report.build.addon, addon);
    t.same([report.build.origin.kind, report.build.origin.reason], ['env', 'MVEB_ADDON names it']);
    t.equal(report.libtorch.version, expectedTorch.version);
    t.equal(report.package.name, 'mveb-torch');
    t.same(report.distributedBackends, expectedTorch.gloo ? ['gloo'] : [], 'Gloo exactly when its headers are there');
    t.type(report.threads.intraOp, 'number');
    t.ok(report.threads.intraOp >= 1);
    if (!report.cudaCompiled) {
      t.equal(report.cuda, false, 'a CPU build reports no CUDA');
      t.same(report.cudaDevices, []);
    }
    // Every part of the addon is in this build: tensors, ops, optimisers.
    const script = `
      const ops = await import(${JSON.stringify(distOps)});
      const { Tensor, optim } = ops;
      const z = Tensor.fromArray(new Float32Array([1, 0, 0, 1, 0.6, 0.8]), [3, 2]);
      const { bandwidth } = await ops.steinScore(z);
      const p = Tensor.fromArray(new Float32Array([1, 2]), [2]);
      await new optim.LARS([p], { lr: 1, momentum: 0 }).step([Tensor.fromArray(new Float32Array([1, 1]), [2])]);
      console.log(JSON.stringify({ bandwidth, p: Array.from(await p.toArray()) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, MVEB_ADDON: addon },
    });
    const result = JSON.parse(out) as { bandwidth: number; p: number[] };
    // 1 − S over the 3 rows: three 0s, then 0.2, 0.2, 0.4, 0.4, 1, 1. The authors take the
    // ⌊9/2⌋ = 4th largest (torch.topk): 0.4 (the upper median, 0.2, is a different element).
    t.ok(Math.abs(result.bandwidth - 0.4) < 1e-6, `bandwidth ${result.bandwidth}`);
    t.same(result.p, [0, 1]);
  });
}
