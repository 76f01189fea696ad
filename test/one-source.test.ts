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
      .filter((f) => /\[0-9a-f(A-F)?\]\{8\}/i.test(readFileSync(f, 'utf8')))
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

describe('the grant vocabulary is defined once (lib/policy/grants.ts)', () => {
  it('the grant schema is built from it and accepts exactly it', async () => {
    const { grantSchema, recordActions, rowScopes, isValidGrant } = await import('@/lib/policy/grants');
    expect(Object.keys(grantSchema.properties.actions.properties)).toEqual([...recordActions]);
    for (const a of recordActions.filter((x) => x !== 'create')) {
      for (const scope of rowScopes) expect(isValidGrant({ actions: { [a]: { scope } } })).toBe(true);
      expect(isValidGrant({ actions: { [a]: { scope: 'everyone' } } })).toBe(false);
    }
    expect(isValidGrant({ actions: { create: {} } })).toBe(true);
    expect(isValidGrant({ actions: { export: {} } })).toBe(false);
  });

  it('no other module restates actions, scopes or field modes, and there is no second grant schema', () => {
    const lists = [/'own',\s*'department',\s*'all'/, /'view',\s*'create',\s*'edit',\s*'delete'/, /'hidden',\s*'masked',\s*'read',\s*'write'/];
    const restated = files
      .filter((f) => !f.endsWith('lib/policy/grants.ts'))
      .filter((f) => lists.some((re) => re.test(readFileSync(f, 'utf8'))))
      .map((f) => relative(root, f));
    expect(restated).toEqual([]);
    expect(readdirSync(join(root, 'schemas'))).not.toContain('grant.schema.json');
  });
});

describe('RecordDTO and the OpenAPI document are defined once', () => {
  it('components use the RecordDTO type itself', () => {
    expect(readFileSync(join(root, 'components/records/types.ts'), 'utf8')).not.toMatch(/interface Record(Item|PageData)\b/);
  });

  it("the document's Record schema, list parameters and bodies are the DTO's and the operations' own schemas", async () => {
    const { openApiDocument } = await import('@/lib/http/openapi');
    const { recordDtoSchema } = await import('@/lib/records/dto');
    const ops = await import('@/lib/records/operations');
    expect(openApiDocument.components.schemas.Record).toBe(recordDtoSchema);
    const collection = openApiDocument.paths['/forms/{formId}/records'];
    const { formId: _formId, ...listQuery } = ops.listRecords.inputSchema.properties;
    expect(Object.fromEntries(collection.get.parameters.map((p) => [p.name, p.schema]))).toEqual(listQuery);
    expect(collection.post.requestBody.content['application/json'].schema.properties).toEqual({ values: ops.createRecord.inputSchema.properties.values });
    const item = openApiDocument.paths['/forms/{formId}/records/{recordId}'];
    const { formId: _f, recordId: _r, ...patch } = ops.updateRecord.inputSchema.properties;
    expect(item.patch.requestBody.content['application/json'].schema.properties).toEqual(patch);
    expect(item.patch.requestBody.content['application/json'].schema.required).toEqual(['version', 'values']);
  });
});
