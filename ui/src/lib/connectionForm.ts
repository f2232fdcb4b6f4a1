// Validation of the connection form, kept apart from the component so it is unit-tested: the same
// rules the Rust side enforces, checked as the user types so a problem is shown before a round trip.

export type AuthChoice = 'bearer' | 'basic' | 'oAuth2' | 'none';
export type HeaderRow = { name: string; value: string };

export interface FormFields {
  name: string;
  baseUrl: string;
  authChoice: AuthChoice;
  secret: string;
  basicUser: string;
  tokenUrl: string;
  clientId: string;
  headers: HeaderRow[];
  proxy: string;
  timeoutSecs: string;
  /** Optional: the most resources one load holds. */
  maxResources?: string;
  maxInFlight?: string;
  requestsPerSecond?: string;
  editing: boolean;
  /** Headers whose values are already stored (editing): their value may stay empty. */
  storedHeaders: string[];
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** The label of the secret field for an authentication kind. */
export function secretLabel(auth: AuthChoice): string {
  switch (auth) {
    case 'basic':
      return 'Password';
    case 'oAuth2':
      return 'Client secret';
    default:
      return 'Token';
  }
}

/** Problems by field, in the order the form shows them; empty when the form can be saved. */
export function formProblems(f: FormFields): Record<string, string> {
  const p: Record<string, string> = {};
  if (!f.name.trim()) p.name = 'Give the connection a name.';
  const url = f.baseUrl.trim();
  if (!url) p.baseUrl = 'Enter the SCIM base URL.';
  else if (!/^https?:\/\/[^\s/]+/.test(url)) p.baseUrl = 'The base URL starts with https://';
  if (f.authChoice === 'basic' && !f.basicUser.trim()) p.basicUser = 'Enter the user name.';
  if (f.authChoice === 'oAuth2') {
    if (!/^https?:\/\/[^\s/]+/.test(f.tokenUrl.trim())) p.tokenUrl = 'The token endpoint starts with https://';
    if (!f.clientId.trim()) p.clientId = 'Enter the client id.';
  }
  if (f.authChoice !== 'none' && !f.editing && !f.secret.trim()) {
    p.secret = `Enter the ${secretLabel(f.authChoice).toLowerCase()}.`;
  }
  const seen = new Set<string>();
  for (const h of f.headers) {
    const name = h.name.trim();
    if (!name) continue;
    if (!HEADER_NAME.test(name)) {
      p.headers = `“${name}” is not a valid header name (letters, digits and - only).`;
      break;
    }
    if (name.toLowerCase() === 'authorization') {
      p.headers = 'Set Authorization through the authentication kind, not as an extra header.';
      break;
    }
    if (seen.has(name.toLowerCase())) {
      p.headers = `The header ${name} is listed twice.`;
      break;
    }
    seen.add(name.toLowerCase());
    const stored = f.editing && f.storedHeaders.some((s) => s.toLowerCase() === name.toLowerCase());
    if (!stored && !h.value.trim()) {
      p.headers = `Enter a value for the header ${name}.`;
      break;
    }
  }
  if (f.proxy.trim() && !/^(https?|socks5):\/\/\S+$/.test(f.proxy.trim())) {
    p.proxy = 'The proxy looks like http://proxy.example:3128';
  }
  if (f.timeoutSecs.trim() && !/^[1-9][0-9]{0,3}$/.test(f.timeoutSecs.trim())) {
    p.timeoutSecs = 'A whole number of seconds, 1 to 9999.';
  }
  if (f.maxResources?.trim() && !/^[1-9][0-9]{0,8}$/.test(f.maxResources.trim())) {
    p.maxResources = 'A whole number of resources, at least 1.';
  }
  if (f.maxInFlight?.trim() && !/^([1-9]|[1-5][0-9]|6[0-4])$/.test(f.maxInFlight.trim())) {
    p.maxInFlight = 'A whole number of requests, 1 to 64.';
  }
  if (f.requestsPerSecond?.trim() && !/^[1-9][0-9]{0,3}$/.test(f.requestsPerSecond.trim())) {
    p.requestsPerSecond = 'A whole number per second, 1 to 9999.';
  }
  return p;
}
