// The app's sections, in the order the left navigation shows them.
export type SectionId = 'users' | 'groups' | 'roles' | 'diff' | 'reports' | 'changes' | 'log' | 'tap' | 'server';

export interface Section {
  id: SectionId;
  label: string;
  /** What the empty state says this section is for, until it has data. */
  purpose: string;
}

export const SECTIONS: Section[] = [
  { id: 'users', label: 'Users', purpose: 'Browse and filter the users of a SCIM directory.' },
  { id: 'groups', label: 'Groups', purpose: 'Groups with their member counts and nested groups.' },
  { id: 'roles', label: 'Role groups', purpose: 'Profiles, projects and roles that apps expose as SCIM groups.' },
  { id: 'diff', label: 'Diff', purpose: 'Snapshots of the directory, and comparisons of two directories.' },
  { id: 'reports', label: 'Reports', purpose: 'Membership audits you can export to CSV, XLSX or JSON.' },
  { id: 'changes', label: 'Changes', purpose: 'Every change sent from this app, with undo.' },
  { id: 'log', label: 'Request log', purpose: 'Every HTTP exchange with the server, secrets masked.' },
  { id: 'tap', label: 'Tap', purpose: 'What an identity provider really sends an application, live.' },
  { id: 'server', label: 'Server', purpose: 'What the server declares and how it really behaves.' },
];

export function sectionById(id: SectionId): Section {
  return SECTIONS.find((s) => s.id === id) ?? (SECTIONS[0] as Section);
}
