// Test-only entry: answers the Rust commands from fixtures chosen by `?scenario=`, then starts the real UI.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppError, AppInfo } from '../../src/lib/bindings';

const scenario = new URLSearchParams(location.search).get('scenario') ?? 'ok';

const info: AppInfo = {
  version: '9.9.9-test',
  coreVersion: '9.9.9-core',
  buildProfile: 'debug',
  platform: 'test-browser',
};

mockIPC((cmd) => {
  if (cmd === 'get_app_info') {
    if (scenario === 'backend-error') {
      const error: AppError = {
        kind: 'storage',
        message: 'The connections file is from a newer SCIM Explorer (version 9); it was left untouched.',
        scim: null,
      };
      throw error;
    }
    return info;
  }
  throw `command ${cmd} not found`;
});

await import('../../src/main');
