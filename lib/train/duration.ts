// Durations as people type them for a time budget: 90s, 10m, 8h, 1h30m, 2d (as sbatch's --time
// also HH:MM:SS), and how they are printed back.

const UNIT_SECONDS = { d: 86400, h: 3600, m: 60, s: 1 } as const;

/** Seconds, or undefined when the text is not a duration. '' and 'none' are no budget: 0. */
export function parseDuration(text: string): number | undefined {
  const typed = text.trim().toLowerCase();
  if (typed === '' || typed === 'none') return 0;
  const clock = /^(?:(\d+):)?(\d+):(\d{1,2})$/.exec(typed);
  if (clock) {
    const [, hours = '0', minutes, seconds] = clock;
    return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  }
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(typed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of typed.matchAll(/(\d+(?:\.\d+)?)([dhms])/g))
    total += Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  return total;
}

/** 9:58, 1:02:03: minutes and seconds, with hours when there are any. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s % 60).padStart(2, '0')}`;
}
