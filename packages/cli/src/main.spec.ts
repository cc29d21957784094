import { describe, expect, it } from 'vitest';
import { buildProgram } from './main';

describe('cairn program', () => {
  it('has a name, a version and help', () => {
    const program = buildProgram();
    expect(program.name()).toBe('cairn');
    expect(program.version()).toMatch(/^\d+\.\d+\.\d+/);
    expect(program.helpInformation()).toContain('Usage: cairn');
  });
});
