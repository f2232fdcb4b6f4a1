// Exports go where the user chooses in the system's Save dialog, which Rust opens (the page never
// names a path): ask for the place, then write there. Rust refuses a path no dialog gave.
import { api } from './api';
import type { FileKind } from './bindings';

/** Opens the Save (or Open) dialog for `kind`, then runs `use` with the chosen path; `null` when the
 *  user cancelled the dialog (nothing happens then). `detail` names what is saved (a report's title)
 *  in the suggested file name. */
export async function withChosenFile<T>(kind: FileKind, use: (path: string) => Promise<T>, detail: string | null = null): Promise<T | null> {
  const path = await api.chooseFile(kind, detail);
  if (!path) return null;
  return use(path);
}
