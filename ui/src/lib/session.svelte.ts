// What the app knows about the open server beyond its discovery documents: the quirks its last
// server check found, which change how requests are built (set when a directory opens or a check runs).
import type { ServerQuirks } from './bindings';

export const session = $state<{ quirks: ServerQuirks; readOnly: boolean; resourceTypes: string[]; offline: boolean }>({
  quirks: { removeMembersByValueList: false, patchUnsupported: false },
  /** The open connection is read-only (or a snapshot): write actions are shown disabled. */
  readOnly: false,
  /** The resource types the server declares, offered to resource-type role rules. */
  resourceTypes: [],
  /** An offline snapshot is open: nothing is live, so nothing reloads. */
  offline: false,
});
