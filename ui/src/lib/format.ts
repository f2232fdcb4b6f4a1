// Numbers, rates and durations as the status lines show them.

const nf = new Intl.NumberFormat('en-US');

export function count(n: number): string {
  return nf.format(n);
}

/** `n` and the noun in the number it takes: "1 deviation", "3 deviations", "0 users". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** "12,400 / 100,000 · 8,300/s · about 11 s left" */
export function progressLine(loaded: number, total: number | null, perSecond: number, etaSecs: number | null): string {
  const parts = [total !== null ? `${count(loaded)} / ${count(total)}` : `${count(loaded)} so far`];
  if (perSecond > 0) parts.push(`${count(Math.round(perSecond))}/s`);
  if (etaSecs !== null && Number.isFinite(etaSecs)) parts.push(`about ${duration(etaSecs * 1000)} left`);
  return parts.join(' · ');
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** An RFC 3339 instant as every screen shows it: `2026-11-20 09:00:00 UTC` (seconds, fractions
 * dropped, always UTC as the servers and files state it); text that is not one is shown as it is. */
export function dateTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso.trim());
  if (!m) return iso;
  const zone = !m[3] || m[3] === 'Z' ? 'UTC' : `UTC${m[3]}`;
  return `${m[1]} ${m[2]} ${zone}`;
}
