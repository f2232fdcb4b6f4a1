// The user or group whose detail pane is open, so the command palette can offer actions on it
// ("Deactivate carla…", "Add carla to a group…") and hand them to the pane, which does the work.
import type { Kind } from './api';

export type PaneAction = 'patch' | 'toggle-active' | 'add-to-group' | 'add-members' | 'rename';

export const selection = $state<{ kind: Kind | null; id: string | null; label: string | null; active: boolean | null }>({
  kind: null,
  id: null,
  label: null,
  active: null,
});

/** Asks the open pane to run `action` (it listens while it is open). */
export function runOnPane(action: PaneAction): void {
  window.dispatchEvent(new CustomEvent<PaneAction>('pane-action', { detail: action }));
}
