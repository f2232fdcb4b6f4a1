// The detail pane's width: dragged on the splitter, remembered across sessions (a window preference
// like the theme, so kept with the window, not with a connection). Clamped so neither side vanishes.
const STORAGE_KEY = 'scimx.paneWidth';
export const PANE_MIN = 300;
export const PANE_MAX = 900;

export function clampWidth(width: number, windowWidth: number): number {
  // The list keeps at least 360 px beside the navigation.
  const most = Math.max(PANE_MIN, Math.min(PANE_MAX, windowWidth - 184 - 360));
  return Math.round(Math.min(most, Math.max(PANE_MIN, width)));
}

function load(): number | null {
  try {
    const n = Number(localStorage.getItem(STORAGE_KEY));
    return Number.isFinite(n) && n >= PANE_MIN ? n : null;
  } catch {
    return null;
  }
}

export const pane = $state<{ width: number | null }>({ width: typeof localStorage === 'undefined' ? null : load() });

export function setPaneWidth(width: number): void {
  pane.width = width;
  try {
    localStorage.setItem(STORAGE_KEY, String(width));
  } catch {
    // Storage unavailable: the width lasts for this session.
  }
}
