// Helpers for the filter bar: split the text around the error span so it can be underlined.
import type { FilterCheck } from './bindings';

export interface Segments {
  before: string;
  error: string;
  after: string;
}

/** The text in three parts around the parser's error span (UTF-16 offsets, as JS strings use). */
export function errorSegments(text: string, check: FilterCheck): Segments | null {
  if (check.valid || check.errorStart == null) return null;
  const start = Math.min(check.errorStart, text.length);
  const end = Math.max(start, Math.min(check.errorEnd ?? start + 1, text.length));
  // An error at the very end (missing value) underlines a visible placeholder space.
  const error = end > start ? text.slice(start, end) : ' ';
  return { before: text.slice(0, start), error, after: text.slice(end) };
}

/** Runs `fn` once `ms` after the last call: live validation without a request per keystroke. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
