import { describe, expect, it } from '@jest/globals';
import {
  detectSchemaVersion,
  migrateToCurrent,
  migrations,
} from '../../src/registry/migrations.js';
import { CURRENT_SCHEMA_VERSION, registryFileSchema } from '../../src/registry/schema.js';

describe('registry migrations', () => {
  it.each([
    [{ schemaVersion: 1, accountants: [] }, 1],
    [{ schemaVersion: 9 }, 9],
    [{ clients: [] }, 0],
    [{ schemaVersion: 0 }, null],
    [{ schemaVersion: 1.5 }, null],
    [{ schemaVersion: '1' }, null],
    [{}, null],
    [[], null],
    [null, null],
    ['text', null],
  ])('detects the version of %j as %s', (data, expected) => {
    expect(detectSchemaVersion(data)).toBe(expected);
  });

  it('has a chain of migrations ending at the current version', () => {
    migrations.forEach((m, i) => {
      expect(m.from).toBe(i);
      expect(m.to).toBe(i + 1);
    });
    expect(migrations[migrations.length - 1]?.to).toBe(CURRENT_SCHEMA_VERSION);
  });

  it('passes a current file through unchanged', () => {
    const data = { schemaVersion: 1, accountants: [] };
    expect(migrateToCurrent(data, 'f.json')).toEqual({ data, fromVersion: 1, applied: [] });
  });

  it('turns an empty version 0 file into a valid empty version 1 file', () => {
    const out = migrateToCurrent({ clients: [] }, 'f.json');
    expect(out.fromVersion).toBe(0);
    expect(out.applied).toHaveLength(1);
    expect(registryFileSchema.parse(out.data)).toEqual({ schemaVersion: 1, accountants: [] });
  });

  it('refuses when a step of the chain is missing', () => {
    expect(() => migrateToCurrent({ clients: [] }, 'f.json', [])).toThrow(
      /No migration from schema 0/,
    );
  });

  it('reports a failing step as a storage error naming the file', () => {
    const failing = [
      {
        from: 0,
        to: 1,
        description: 'x',
        migrate: () => {
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrateToCurrent({ clients: [] }, 'f.json', failing)).toThrow(
      expect.objectContaining({
        reason: 'storage',
        message: expect.stringMatching(/f\.json.*boom/),
      }),
    );
  });
});
