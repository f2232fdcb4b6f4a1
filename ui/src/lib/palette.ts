// The command palette's matching: every word typed must appear in the command's label (in order of
// preference: at a word start, then anywhere); results are ranked so the obvious one is first.

export interface Command {
  id: string;
  label: string;
  /** Shown on the right, e.g. a shortcut or a section name. */
  hint?: string;
  run: () => void;
}

function score(label: string, words: string[]): number | null {
  const l = label.toLowerCase();
  let total = 0;
  for (const w of words) {
    const at = l.indexOf(w);
    if (at < 0) return null;
    const wordStart = at === 0 || /[\s:(/-]/.test(l[at - 1] ?? '');
    total += (wordStart ? 0 : 10) + at / 100;
  }
  return total;
}

/** The commands matching `query`, best first; all of them (in their order) for an empty query. */
export function matchCommands<T extends Pick<Command, 'label'>>(commands: T[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return commands;
  return commands
    .map((c, i) => ({ c, i, s: score(c.label, words) }))
    .filter((x): x is { c: T; i: number; s: number } => x.s !== null)
    .sort((a, b) => a.s - b.s || a.i - b.i)
    .map((x) => x.c);
}
