/**
 * The one door, enforced. These tests read the source tree and fail when:
 * - a file in app/ or components/ imports the database, keys or kysely;
 * - a route handler is not built with restRoute() around operations;
 * - a server action is anything but `export const xAction = serverAction(op)`
 *   where `op` is a registered operation;
 * - a pure module (policy, forms definitions) imports the database.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

function walk(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(full);
  }
  return out;
}

const rel = (f: string) => path.relative(root, f);
const importsOf = (source: string) => [...source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? m[2] ?? m[3]);

const FORBIDDEN_IN_UI = [/^kysely/, /^pg$/, /^@electric-sql\/pglite/, /(^|\/)lib\/db(\/|$)/, /(^|\/)lib\/crypto(\/|$)/, /(^|\/)lib\/audit\/append/, /(^|\/)lib\/examples\/seed/, /(^|\/)cli\//];

export function uiImportViolations(files: { file: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    for (const spec of importsOf(source)) {
      if (FORBIDDEN_IN_UI.some((re) => re.test(spec))) out.push(`${file} imports ${spec}`);
    }
    if (/\bunsafe[A-Z]\w*\s*\(/.test(source)) out.push(`${file} calls an unsafe… function`);
  }
  return out;
}

const HTTP = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
// next-auth's own handler: its only data access is `authorize`, which calls the
// auth.signIn operation (lib/auth/next-auth.ts).
const ROUTE_ALLOWLIST = new Set(['app/api/auth/[...nextauth]/route.ts']);

export function routeViolations(files: { file: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    if (ROUTE_ALLOWLIST.has(file)) continue;
    const exported = [...source.matchAll(/export\s+(?:async\s+)?(?:const|function)\s+(\w+)/g)].map((m) => m[1]);
    const reexported = [...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((s) => s.trim().split(/\s+as\s+/).pop()!));
    for (const name of [...exported, ...reexported].filter((n) => HTTP.includes(n))) {
      if (!new RegExp(`export\\s+const\\s+${name}\\s*=\\s*restRoute\\(`).test(source)) out.push(`${file}: ${name} is not built with restRoute()`);
    }
    if (!/from\s+['"]@\/lib\/[\w/-]+\/(operations|openapi)['"]/.test(source)) out.push(`${file}: calls no operation`);
  }
  return out;
}

export function actionViolations(files: { file: string; source: string }[]): { violations: string[]; operations: { file: string; name: string; from: string }[] } {
  const violations: string[] = [];
  const operations: { file: string; name: string; from: string }[] = [];
  for (const { file, source } of files) {
    const fileLevel = /^\s*(['"])use server\1/.test(source.replace(/^(\s*\/\/.*\n|\s*\/\*[\s\S]*?\*\/\s*)*/, ''));
    const inline = [...source.matchAll(/['"]use server['"]/g)].length - (fileLevel ? 1 : 0);
    if (inline > 0) violations.push(`${file}: inline 'use server' (put actions in an actions.ts built with serverAction)`);
    if (!fileLevel) continue;
    const imports = new Map<string, string>();
    for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
      for (const n of m[1].split(',').map((s) => s.trim()).filter(Boolean)) imports.set(n.split(/\s+as\s+/).pop()!, m[2]);
    }
    const body = source.split('\n').filter((l) => /^export\b/.test(l));
    for (const line of body) {
      const m = /^export const (\w+Action) = serverAction\((\w+)\);$/.exec(line.trim());
      if (!m) {
        violations.push(`${file}: "${line.trim()}" is not \`export const xAction = serverAction(operation);\``);
        continue;
      }
      const from = imports.get(m[2]);
      if (!from?.startsWith('@/lib/')) violations.push(`${file}: ${m[2]} is not imported from lib/`);
      else operations.push({ file, name: m[2], from });
    }
  }
  return { violations, operations };
}

const read = (files: string[]) => files.map((f) => ({ file: rel(f), source: readFileSync(f, 'utf8') }));
const uiFiles = read([...walk(path.join(root, 'app')), ...walk(path.join(root, 'components'))]);

describe('the one door', () => {
  it('has UI code to check', () => {
    expect(uiFiles.length).toBeGreaterThan(5);
  });

  it('app/ and components/ never import the database, keys, kysely or unsafe helpers', () => {
    expect(uiImportViolations(uiFiles)).toEqual([]);
  });

  it('every route handler is built with restRoute() around an operation', () => {
    const routes = uiFiles.filter((f) => /(^|\/)route\.tsx?$/.test(f.file));
    expect(routes.length).toBeGreaterThanOrEqual(4);
    expect(routeViolations(routes)).toEqual([]);
  });

  it('every server action is serverAction(operation) of a registered operation', async () => {
    const { violations, operations } = actionViolations(uiFiles);
    expect(violations).toEqual([]);
    expect(operations.length).toBeGreaterThan(5);
    for (const op of operations) {
      const mod = (await import(op.from.replace(/^@\//, `${root}/`))) as Record<string, { operationName?: string }>;
      expect(mod[op.name]?.operationName, `${op.file}: ${op.name} from ${op.from}`).toEqual(expect.any(String));
    }
  });

  it('pure modules (policy, form definitions, masking) import no database', () => {
    const pure = read([...walk(path.join(root, 'lib/policy')), ...walk(path.join(root, 'lib/forms')).filter((f) => !f.endsWith('operations.ts'))]);
    const bad = pure.flatMap(({ file, source }) =>
      importsOf(source).filter((s) => /^kysely|^pg$|pglite|lib\/db|server-only|node:/.test(s)).map((s) => `${file} imports ${s}`),
    );
    expect(bad).toEqual([]);
  });
});

describe('the checks themselves catch violations', () => {
  it('flags a page importing the database', () => {
    expect(uiImportViolations([{ file: 'app/x/page.tsx', source: "import { getDb } from '@/lib/db';\n" }])).toHaveLength(1);
    expect(uiImportViolations([{ file: 'components/y.tsx', source: "import { sql } from 'kysely';\n" }])).toHaveLength(1);
    expect(uiImportViolations([{ file: 'components/ok.tsx', source: "import { Button } from 'antd';\n" }])).toEqual([]);
  });

  it('flags a hand-written route handler', () => {
    const source = "import { getDb } from '@/lib/db';\nexport async function GET() { return Response.json(await (await getDb()).selectFrom('records').selectAll().execute()); }\n";
    expect(routeViolations([{ file: 'app/api/leak/route.ts', source }]).length).toBeGreaterThan(0);
  });

  it('flags a hand-written server action', () => {
    const source = "'use server';\nimport { getDb } from '@/lib/db';\nexport async function dumpAction() { return (await getDb()).selectFrom('records').selectAll().execute(); }\n";
    expect(actionViolations([{ file: 'app/x/actions.ts', source }]).violations.length).toBeGreaterThan(0);
    const inline = "export default function Page() { async function go() { 'use server'; } return null; }\n";
    expect(actionViolations([{ file: 'app/x/page.tsx', source: inline }]).violations.length).toBe(1);
  });
});

describe('UI strings', () => {
  it('app/ and components/ hold no hard-coded Chinese text: it lives in messages/', () => {
    const stripComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    const offenders = uiFiles
      .filter((f) => !/\.test\.tsx?$/.test(f.file))
      .filter((f) => /[\u4e00-\u9fff]/.test(stripComments(f.source)))
      .map((f) => f.file);
    expect(offenders).toEqual([]);
  });
});
