import { describe, expect, it } from 'vitest';
import { matchCommands } from '../../src/lib/palette';

const cmds = ['Go to Users', 'Go to Groups', 'Go to Request log', 'Toggle presentation mode', 'Switch to Netdata prod'].map(
  (label) => ({ label }),
);

describe('command palette matching', () => {
  it('keeps everything for an empty query', () => {
    expect(matchCommands(cmds, '  ')).toHaveLength(5);
  });
  it('needs every word and prefers word starts', () => {
    expect(matchCommands(cmds, 'go gr').map((c) => c.label)).toEqual(['Go to Groups']);
    expect(matchCommands(cmds, 'log').map((c) => c.label)).toEqual(['Go to Request log']);
    expect(matchCommands(cmds, 'pres').map((c) => c.label)).toEqual(['Toggle presentation mode']);
    expect(matchCommands(cmds, 'net').map((c) => c.label)).toEqual(['Switch to Netdata prod']);
    expect(matchCommands(cmds, 'zzz')).toEqual([]);
  });
  it('ranks a word-start match above a mid-word one', () => {
    const r = matchCommands([{ label: 'Focus filter' }, { label: 'Go to Users' }], 'us');
    expect(r.map((c) => c.label)).toEqual(['Go to Users', 'Focus filter']);
  });
});
