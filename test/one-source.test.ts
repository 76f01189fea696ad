/**
 * One source per shape (issue 5 item 26): a shape written twice drifts, and a
 * drifted copy is where a check is weaker than the one it was copied from
 * (ajv-formats' `uuid` once accepted `urn:uuid:…`, which reached PostgreSQL as a 500).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

const files = ['lib', 'app', 'components', 'cli'].flatMap((d) => sources(join(root, d)));

describe('one UUID pattern', () => {
  it('is written only in lib/forms/ajv.ts', () => {
    const copies = files
      .filter((f) => /\[0-9a-f\]\{8\}/i.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(copies).toEqual(['lib/forms/ajv.ts']);
  });
});

describe('operation input types come from their JSON Schemas', () => {
  const operations = files.filter((f) => /lib\/.+\/operations\.ts$/.test(f));

  it('no operation states its input type by hand', () => {
    const byHand = operations.filter((f) => /defineOperation</.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(operations.length).toBeGreaterThan(5);
    expect(byHand).toEqual([]);
  });

  it('no hand-written interface duplicates an operation input', () => {
    const duplicates = [...operations, ...files.filter((f) => f.includes('/components/'))]
      .filter((f) => /^export (interface|type) \w+Input\b(?! = OperationInput<)/m.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(duplicates).toEqual([]);
  });
});

describe('JSON results are parsed in one place', () => {
  it('no module guesses whether a JSON column came back as text (lib/db/connection.ts parses it)', () => {
    const guesses = files
      .filter((f) => /typeof [\w?.]+ === 'string' \? \(?JSON\.parse\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(guesses).toEqual([]);
  });
});
