// Presentation mode: for demos and screen sharing. The masking itself happens in Rust, on what the
// backend serves (scim-services `presentation.rs`); this switch only tells Rust and lets each screen
// ask for its data again, so nothing shown keeps an unmasked value.
import { api } from './api';

export const presentation = $state({ on: false });

export async function setPresentation(on: boolean): Promise<void> {
  await api.setPresentation(on);
  presentation.on = on;
}
