// The name of a run's directory. A new run without a name is named by its start time. A run that
// must find itself again when the same command runs again (autoResume: a requeued or restarted
// job) needs a name that survives the restart: --name, SLURM's job id (a requeued job keeps it)
// or torchrun's run id (--rdzv_id; torchrun's default, 'none', names nothing).
import { InputError } from '../errors.js';
import type { TrainConfig } from './config.js';

export function runName(
  config: Pick<TrainConfig, 'name' | 'autoResume'>,
  env: NodeJS.ProcessEnv = process.env,
  now: Date = new Date(),
): string {
  if (config.name) return config.name;
  if (!config.autoResume) return now.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  if (env.SLURM_ARRAY_JOB_ID && env.SLURM_ARRAY_TASK_ID)
    return plain(`slurm-${env.SLURM_ARRAY_JOB_ID}_${env.SLURM_ARRAY_TASK_ID}`);
  if (env.SLURM_JOB_ID) return plain(`slurm-${env.SLURM_JOB_ID}`);
  if (env.TORCHELASTIC_RUN_ID && env.TORCHELASTIC_RUN_ID !== 'none')
    return plain(`torchrun-${env.TORCHELASTIC_RUN_ID}`);
  throw new InputError(
    'autoResume needs a run name that the same command finds again: give --name (or run under SLURM, or torchrun with --rdzv_id)',
  );
}

/** A directory name from a scheduler's id: nothing but letters, digits, '.', '_' and '-'. */
function plain(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}
