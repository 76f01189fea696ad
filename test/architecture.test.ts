/**
 * The one door, enforced. Which module may import which is an allowlist in
 * .dependency-cruiser.cjs (run by `npm run lint`); these tests
 * - run that config over the real tree (no violation) and over a copy of the
 *   tree with planted bypasses (each one caught);
 * - list every route handler, server action and page and fail when one is
 *   not built from an operation;
 * - fail when code outside lib/records, migrations and seeds names the
 *   `records` table, when an `unsafe…` name or a system credential appears
 *   outside cli/, jobs, seeds, migrations and tests, and when a module that
 *   holds the database, keys or ciphertext lacks `import 'server-only'`.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = path.resolve(__dirname, '..');
const CONFIG = path.join(root, '.dependency-cruiser.cjs');

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

const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
const read = (files: string[]) => files.map((f) => ({ file: rel(f), source: readFileSync(f, 'utf8') }));
const stripComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

/** Runs the project's dependency-cruiser config over `baseDir` (the real tree or a planted copy). */
async function cruiseTree(baseDir: string): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfigFile = path.join(baseDir, 'tsconfig.json');
  options.baseDir = baseDir;
  options.tsConfig = { fileName: tsConfigFile };
  // The planted copy links node_modules: keep its paths inside the copy.
  options.preserveSymlinks = true;
  const roots = ['app', 'components', 'lib', 'cli', 'i18n', 'messages', 'migrations', 'next.config.ts', 'proxy.ts', 'instrumentation.ts', 'server.ts', 'worker.ts'].filter((p) => {
    try {
      statSync(path.join(baseDir, p));
      return true;
    } catch {
      return false;
    }
  });
  // tsconfig `paths` (@/…) resolve against the working directory, as in `npm run lint`.
  const cwd = process.cwd();
  process.chdir(baseDir);
  let result;
  try {
    result = await cruise(roots, options, undefined, { tsConfig: extractTSConfig(tsConfigFile) });
  } finally {
    process.chdir(cwd);
  }
  return result.output as ICruiseResult;
}

const show = (v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`;

let real: ICruiseResult;
beforeAll(async () => {
  real = await cruiseTree(root);
}, 120_000);

describe('the boundary allowlist (.dependency-cruiser.cjs)', () => {
  it('the real tree has no violation', () => {
    expect(real.modules.length).toBeGreaterThan(100);
    expect(real.summary.violations.map(show)).toEqual([]);
  });

  it('is what `npm run lint` runs, after ESLint', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.lint).toMatch(/eslint \. && depcruise \. --config \.dependency-cruiser\.cjs/);
    expect(pkg.scripts.test).toMatch(/npm run lint/);
  });

  it('every module that holds the database, keys or ciphertext imports server-only', () => {
    const holds = /^(node_modules\/(kysely|pg|@electric-sql\/pglite|@node-rs\/argon2)\/|lib\/db\/(connection|index|migrate)\.ts$|lib\/crypto\/|lib\/secrets\.ts$|lib\/audit\/|lib\/operation\.ts$)/;
    const missing = real.modules
      .filter((m) => m.source.startsWith('lib/') && !/\.test\.ts$/.test(m.source))
      .filter((m) => m.dependencies.some((d) => holds.test(d.resolved) && !d.dependencyTypes.includes('type-only')))
      .filter((m) => !m.dependencies.some((d) => d.resolved.startsWith('node_modules/server-only/')))
      .map((m) => m.source);
    expect(missing).toEqual([]);
    // The check sees what it must: the keyring holds keys and has the marker.
    const keyring = real.modules.find((m) => m.source === 'lib/crypto/keyring.ts');
    expect(keyring?.dependencies.some((d) => d.resolved.startsWith('node_modules/server-only/'))).toBe(true);
  });
});

describe('planted bypasses are caught by the allowlist', () => {
  let dir: string;
  let planted: IViolation[];
  const plant = (file: string, source: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  };
  const caught = (from: string) => planted.filter((v) => v.from === from).map((v) => `${v.rule.name} → ${v.to}`);

  beforeAll(async () => {
    // A copy of the tree (node_modules linked) with the bypasses planted in it.
    dir = mkdtempSync(path.join(tmpdir(), 'fw-arch-'));
    for (const p of ['app', 'components', 'lib', 'cli', 'i18n', 'messages', 'migrations', 'schemas', 'test/helpers', 'test/policy', 'next.config.ts', 'server.ts', 'tsconfig.json', 'package.json']) {
      cpSync(path.join(root, p), path.join(dir, p), { recursive: true });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

    // (a) A route that defines its own operation and runs raw SQL through ctx.db.
    plant(
      'app/api/v1/leak/route.ts',
      `import { sql } from 'kysely';
import { defineOperation } from '@/lib/operation';
const dump = defineOperation({ name: 'leak.dump', permission: 'public', input: { type: 'object' },
  async run(ctx) { return (await sql\`select * from records\`.execute(ctx.db)).rows; } });
export async function GET() { return Response.json(await dump({ credential: { type: 'anonymous' }, ip: '', locale: 'en' }, {})); }
`,
    );
    // (a') The same, in a file named operations.ts inside app/: the name alone opens nothing.
    plant('app/api/v1/leak2/operations.ts', `import { defineOperation } from '@/lib/operation';\nexport const x = defineOperation;\n`);
    // (b) A page that builds a system credential by hand and reaches the master key's provider.
    plant(
      'app/(app)/peek/page.tsx',
      `import { keyProvider } from '@/lib/crypto/key-provider';
import { getRecord } from '@/lib/records/operations';
export default async function Page() {
  const caller = { credential: { type: 'unsafe-system', label: 'cli', userId: '00000000-0000-4000-8000-000000000001' }, ip: '', locale: 'en' } as const;
  return <pre>{keyProvider().source}{JSON.stringify(await getRecord(caller, { formId: 'f', recordId: 'r' }))}</pre>;
}
`,
    );
    // (b') A page that asks the real factory for a system caller.
    plant(
      'app/(app)/peek2/page.tsx',
      `import { unsafeSystemCaller } from '@/lib/auth/system-caller';
import { listUsers } from '@/lib/directory/operations';
export default async function Page() { return <pre>{JSON.stringify(await listUsers(unsafeSystemCaller(), {}))}</pre>; }
`,
    );
    // (c) A page reaching lib/db through an allowed-looking "pure" module.
    const cn = readFileSync(path.join(dir, 'lib/forms/cn-formats.ts'), 'utf8');
    writeFileSync(path.join(dir, 'lib/forms/cn-formats.ts'), `import { getDb } from '@/lib/db';\nexport const openDb = getDb;\n${cn}`);
    plant(
      'app/(app)/sneak/page.tsx',
      `import { openDb } from '@/lib/forms/cn-formats';
export default async function Page() { const db = await openDb(); return <pre>{JSON.stringify(await db.selectFrom('users').selectAll().execute())}</pre>; }
`,
    );
    // Smaller ones: a component on kysely and node:fs, a cycle, a key module without server-only, an unplaced lib folder.
    plant('components/dump.tsx', `import { sql } from 'kysely';\nimport { readFileSync } from 'node:fs';\nexport const x = [sql, readFileSync];\n`);
    plant('lib/policy/ping.ts', `import { pong } from './pong';\nexport const ping = () => pong();\n`);
    plant('lib/policy/pong.ts', `import { ping } from './ping';\nexport const pong = (): unknown => ping;\n`);
    plant('lib/crypto/loose.ts', `import { keyProvider } from './key-provider';\nexport const k = keyProvider;\n`);
    plant('lib/shortcut/db.ts', `export { getDb } from '@/lib/db';\n`);
    plant('lib/ids.ts', `export { getDb } from '@/lib/db';\n`);
    plant('lib/records/peek.ts', `import 'server-only';\nexport const x = 1;\n`);
    plant('components/peek.tsx', `import { x } from '@/lib/records/peek';\nexport const y = x;\n`);
    plant('lib/forms/peek-operations.ts', `import { x } from '@/lib/records/peek';\nexport const y = x;\n`);

    // A root file: the custom server (TCP peer address) reaching the database and the keys.
    const server = readFileSync(path.join(dir, 'server.ts'), 'utf8');
    writeFileSync(path.join(dir, 'server.ts'), `import { getDb } from './lib/db';\nimport { keyProvider } from './lib/crypto/key-provider';\nexport const leak = [getDb, keyProvider];\n${server}`);

    // A new root file nobody placed: refused until it gets an allowlist.
    plant('worker.ts', `import { getDb } from './lib/db';\nexport const w = getDb;\n`);

    planted = (await cruiseTree(dir)).summary.violations;
  }, 180_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('(a) a route that calls defineOperation and runs raw SQL through ctx.db', () => {
    expect(caught('app/api/v1/leak/route.ts')).toEqual(
      expect.arrayContaining([
        'define-operation-only-in-operations-modules → lib/operation.ts',
        'app-allowlist → lib/operation.ts',
        'app-allowlist → node_modules/kysely/dist/index.js',
      ]),
    );
    expect(caught('app/api/v1/leak2/operations.ts')).toContain('define-operation-only-in-operations-modules → lib/operation.ts');
  });

  it('(b) a page that builds a system credential and reaches the master key', () => {
    expect(caught('app/(app)/peek/page.tsx')).toEqual(
      expect.arrayContaining(['app-allowlist → lib/crypto/key-provider.ts', 'master-key-only-in-crypto → lib/crypto/key-provider.ts']),
    );
    expect(caught('app/(app)/peek2/page.tsx')).toEqual(
      expect.arrayContaining(['system-caller-only-for-cli-jobs-seeds-migrations-tests → lib/auth/system-caller.ts', 'app-allowlist → lib/auth/system-caller.ts']),
    );
  });

  it('(c) a page reaching lib/db through an allowed-looking pure module', () => {
    // The page's own import is allowed (cn-formats is a named pure module)…
    expect(caught('app/(app)/sneak/page.tsx')).toEqual([]);
    // …so the layering must catch the pure module reaching the database.
    expect(caught('lib/forms/cn-formats.ts')).toContain('pure-lib-allowlist → lib/db/index.ts');
  });

  it('components on kysely or Node, cycles, key modules without server-only, unplaced folders, records internals', () => {
    expect(caught('components/dump.tsx')).toEqual(
      expect.arrayContaining(['components-allowlist → node_modules/kysely/dist/index.js', 'components-allowlist → fs']),
    );
    expect(planted.filter((v) => v.rule.name === 'no-circular').map((v) => v.from)).toEqual(expect.arrayContaining(['lib/policy/ping.ts']));
    expect(planted.filter((v) => v.rule.name === 'server-only-where-data-lives').map((v) => v.from)).toEqual(['lib/crypto/loose.ts']);
    expect(caught('lib/shortcut/db.ts')).toContain('lib-unknown-part → lib/db/index.ts');
    // A new file at the root of lib/ is pure until the layering names it.
    expect(caught('lib/ids.ts')).toContain('pure-lib-allowlist → lib/db/index.ts');
    expect(caught('components/peek.tsx')).toContain('records-internals-stay-inside → lib/records/peek.ts');
    expect(caught('lib/forms/peek-operations.ts')).toContain('records-internals-stay-inside → lib/records/peek.ts');
  });

  it('a root file (server.ts, or a new unplaced one) reaching the database or the keys', () => {
    expect(caught('server.ts')).toEqual(expect.arrayContaining(['server-entry-allowlist → lib/db/index.ts', 'server-entry-allowlist → lib/crypto/key-provider.ts']));
    expect(caught('worker.ts')).toContain('root-unknown-file → lib/db/index.ts');
  });

  it('nothing else in the copy is flagged (the plants are the only violations)', () => {
    const plantedFrom = /^(app\/api\/v1\/leak2?\/|app\/\(app\)\/(peek2?|sneak)\/|components\/(dump|peek)\.tsx|lib\/policy\/p[io]ng\.ts|lib\/crypto\/loose\.ts|lib\/shortcut\/|lib\/ids\.ts|lib\/records\/peek\.ts|lib\/forms\/(cn-formats|peek-operations)\.ts|(server|worker)\.ts$)/;
    expect(planted.filter((v) => !plantedFrom.test(v.from)).map(show)).toEqual([]);
  });
});

// ------------------------------------------------------------------ every entry point is an operation

const HTTP = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
// next-auth's own handler: its only data access is `authorize`, which calls the
// auth.signIn operation (lib/auth/next-auth.ts).
const ROUTE_ALLOWLIST = new Set(['app/api/auth/[...nextauth]/route.ts']);
/** Pages and layouts that show no data and call no operation. */
const STATIC_PAGES = new Set(['app/forbidden/page.tsx', 'app/layout.tsx']);
const OPERATIONS_MODULE = /^@\/lib\/[\w/-]+\/operations$/;

/** Names imported (as values) from operations modules. */
function operationImports(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    if (!OPERATIONS_MODULE.test(m[2])) continue;
    for (const spec of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
      if (/^type\s/.test(spec)) continue;
      out.set(spec.split(/\s+as\s+/).pop()!, m[2]);
    }
  }
  if (/import\s+type\s*\{/.test(source)) {
    for (const m of source.matchAll(/import\s+type\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) for (const n of m[1].split(',')) out.delete(n.trim());
  }
  return out;
}

export function routeViolations(files: { file: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    if (ROUTE_ALLOWLIST.has(file)) continue;
    const exported = [...source.matchAll(/export\s+(?:async\s+)?(?:const|function|let|var)\s+(\w+)/g)].map((m) => m[1]);
    const reexported = [...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((s) => s.trim().split(/\s+as\s+/).pop()!));
    if (/export\s+(\*|default)/.test(source)) out.push(`${file}: exports * or default (export named handlers built with restRoute())`);
    for (const name of [...exported, ...reexported].filter((n) => HTTP.includes(n))) {
      if (!new RegExp(`export\\s+const\\s+${name}\\s*=\\s*restRoute\\(`).test(source)) out.push(`${file}: ${name} is not built with restRoute()`);
    }
    if (operationImports(source).size === 0) out.push(`${file}: calls no operation`);
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
    const imports = operationImports(source);
    const body = source.split('\n').filter((l) => /^export\b/.test(l));
    for (const line of body) {
      const m = /^export const (\w+Action) = serverAction\((\w+)\);$/.exec(line.trim());
      if (!m) {
        violations.push(`${file}: "${line.trim()}" is not \`export const xAction = serverAction(operation);\``);
        continue;
      }
      const from = imports.get(m[2]);
      if (!from) violations.push(`${file}: ${m[2]} is not imported from an operations module`);
      else operations.push({ file, name: m[2], from });
    }
  }
  return { violations, operations };
}

/**
 * A page or layout gets its data from operations through callForPage only:
 * every operation it imports appears only as callForPage's first argument.
 */
export function pageViolations(files: { file: string; source: string }[]): { violations: string[]; operations: { file: string; name: string; from: string }[] } {
  const violations: string[] = [];
  const operations: { file: string; name: string; from: string }[] = [];
  for (const { file, source } of files) {
    const code = stripComments(source).replace(/^import[\s\S]*?from\s*['"][^'"]+['"];?$/gm, '');
    const ops = operationImports(source);
    if (ops.size === 0 && !STATIC_PAGES.has(file)) violations.push(`${file}: calls no operation (or list it in STATIC_PAGES if it shows no data)`);
    for (const [name, from] of ops) {
      const uses = [...code.matchAll(new RegExp(`\\b${name}\\b`, 'g'))].length;
      const viaPage = [...code.matchAll(new RegExp(`callForPage\\(\\s*${name}\\s*,`, 'g'))].length;
      if (uses === 0) violations.push(`${file}: imports ${name} but does not use it`);
      else if (uses !== viaPage) violations.push(`${file}: ${name} is used other than through callForPage(${name}, …)`);
      else operations.push({ file, name, from });
    }
  }
  return { violations, operations };
}

async function expectRegistered(ops: { file: string; name: string; from: string }[]) {
  for (const op of ops) {
    const mod = (await import(op.from.replace(/^@\//, `${root}/`))) as Record<string, { operationName?: string }>;
    expect(mod[op.name]?.operationName, `${op.file}: ${op.name} from ${op.from}`).toEqual(expect.any(String));
  }
}

const appFiles = read(walk(path.join(root, 'app')));
const uiFiles = [...appFiles, ...read(walk(path.join(root, 'components')))];

describe('every entry point is built from an operation', () => {
  it('every route handler is restRoute() around an operation', async () => {
    const routes = appFiles.filter((f) => /(^|\/)route\.tsx?$/.test(f.file));
    expect(routes.length).toBeGreaterThanOrEqual(5);
    expect(routeViolations(routes)).toEqual([]);
    await expectRegistered(routes.flatMap((r) => [...operationImports(r.source)].map(([name, from]) => ({ file: r.file, name, from }))));
  });

  it('every server action is serverAction(operation) of a registered operation', async () => {
    const { violations, operations } = actionViolations(uiFiles);
    expect(violations).toEqual([]);
    expect(operations.length).toBeGreaterThan(5);
    await expectRegistered(operations);
  });

  it('every page and layout reads through callForPage(operation)', async () => {
    const pages = appFiles.filter((f) => /(^|\/)(page|layout)\.tsx$/.test(f.file));
    expect(pages.length).toBeGreaterThanOrEqual(15);
    const { violations, operations } = pageViolations(pages);
    expect(violations).toEqual([]);
    expect(operations.length).toBeGreaterThan(10);
    await expectRegistered(operations);
  });
});

describe('the entry-point checks catch violations', () => {
  it('flags a hand-written route handler, and one that defines its own operation', () => {
    const raw = "import { getDb } from '@/lib/db';\nexport async function GET() { return Response.json(await (await getDb()).selectFrom('records').selectAll().execute()); }\n";
    expect(routeViolations([{ file: 'app/api/leak/route.ts', source: raw }])).toHaveLength(2);
    const own = "import { restRoute } from '@/lib/http/rest';\nimport { defineOperation } from '@/lib/operation';\nconst op = defineOperation({} as never);\nexport const GET = restRoute(async ({ caller }) => op(caller, {}));\n";
    expect(routeViolations([{ file: 'app/api/own/route.ts', source: own }])).toEqual(['app/api/own/route.ts: calls no operation']);
  });

  it('flags a hand-written server action', () => {
    const source = "'use server';\nimport { getDb } from '@/lib/db';\nexport async function dumpAction() { return (await getDb()).selectFrom('records').selectAll().execute(); }\n";
    expect(actionViolations([{ file: 'app/x/actions.ts', source }]).violations.length).toBeGreaterThan(0);
    const inline = "export default function Page() { async function go() { 'use server'; } return null; }\n";
    expect(actionViolations([{ file: 'app/x/page.tsx', source: inline }]).violations.length).toBe(1);
  });

  it('flags a page that calls an operation directly, or calls none', () => {
    const direct = "import { getMe } from '@/lib/auth/operations';\nexport default async function P() { const me = await getMe({ credential: { type: 'anonymous' } } as never, {}); return me.name; }\n";
    expect(pageViolations([{ file: 'app/x/page.tsx', source: direct }]).violations).toEqual(['app/x/page.tsx: getMe is used other than through callForPage(getMe, …)']);
    const none = "import { openDb } from '@/lib/forms/cn-formats';\nexport default async function P() { return String(await openDb()); }\n";
    expect(pageViolations([{ file: 'app/y/page.tsx', source: none }]).violations).toHaveLength(1);
    const ok = "import { callForPage } from '@/lib/next/page';\nimport { getMe } from '@/lib/auth/operations';\nexport default async function P() { return (await callForPage(getMe, {})).name; }\n";
    expect(pageViolations([{ file: 'app/z/page.tsx', source: ok }]).violations).toEqual([]);
  });
});

// ------------------------------------------------------------------ names that must stay in their place

const allCode = read(
  ['app', 'components', 'lib', 'cli', 'i18n', 'messages', 'migrations', 'bench', 'test'].flatMap((d) => walk(path.join(root, d))).concat(
    ['proxy.ts', 'instrumentation.ts', 'next.config.ts'].map((f) => path.join(root, f)).filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    }),
  ),
);

/** Places that may name the records table: the records layer, migrations, seeds (and test/bench setup). */
const RECORDS_TABLE_PLACES = /^(lib\/records\/|migrations\/|lib\/examples\/seed\.ts$|lib\/db\/schema\.ts$|test\/|bench\/)/;
export function recordsTableViolations(files: { file: string; source: string }[]): string[] {
  const names =
    /\b(selectFrom|insertInto|updateTable|deleteFrom|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin|join|with)\(\s*['"`]records(\s+as\s+\w+)?['"`]|\b(from|join|into|update|table)\s+(public\.)?"?records"?\b|DB\[['"]records['"]\]/i;
  return files.filter((f) => !RECORDS_TABLE_PLACES.test(f.file) && names.test(stripComments(f.source))).map((f) => f.file);
}

/** Places that may name unsafe… functions: cli/, jobs, seeds (lib/examples, first-run setup), migrations, tests and benchmarks. */
const UNSAFE_PLACES = /^(cli\/|lib\/jobs\/|lib\/examples\/|lib\/setup\/|migrations\/|test\/|bench\/|lib\/auth\/system-caller\.ts$)/;
export function unsafeNameViolations(files: { file: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { file, source } of files) {
    if (UNSAFE_PLACES.test(file)) continue;
    const code = stripComments(source);
    for (const m of code.matchAll(/\bunsafe[A-Z]\w*/g)) out.push(`${file}: ${m[0]}`);
    // The credential's type tag, outside the modules that define and check it.
    if (!/^lib\/auth\/(credential|principal)\.ts$/.test(file) && /['"`]unsafe-system['"`]/.test(code)) out.push(`${file}: builds an 'unsafe-system' credential`);
  }
  return out;
}

describe('names that stay in their place', () => {
  it('has code to check', () => {
    expect(allCode.length).toBeGreaterThan(100);
  });

  it('only lib/records, migrations and seeds name the records table', () => {
    expect(recordsTableViolations(allCode)).toEqual([]);
  });

  it('unsafe… names and system credentials appear only in cli/, jobs, seeds, migrations and tests', () => {
    expect(unsafeNameViolations(allCode)).toEqual([]);
    // The factory is used where it should be, so the check is looking at real code.
    expect(allCode.filter((f) => /\bunsafeSystemCaller\(/.test(f.source)).map((f) => f.file)).toContain('cli/commands.ts');
  });

  it('the checks flag what they should', () => {
    const samples = [
      { file: 'lib/forms/x.ts', source: "db.selectFrom('records as r').selectAll()" },
      { file: 'app/y/page.tsx', source: 'await sql`select * from records where id = ${id}`' },
      { file: 'lib/audit/z.ts', source: "type R = DB['records'];" },
      { file: 'components/t.tsx', source: "const columns = [{ key: 'records', title: t('records') }];" },
      { file: 'lib/records/ok.ts', source: "db.selectFrom('records')" },
    ];
    expect(recordsTableViolations(samples)).toEqual(['lib/forms/x.ts', 'app/y/page.tsx', 'lib/audit/z.ts']);
    const unsafe = [
      { file: 'app/p/page.tsx', source: "import { unsafeSystemCaller } from '@/lib/auth/system-caller';" },
      { file: 'app/q/page.tsx', source: "const c = { credential: { type: 'unsafe-system', userId } };" },
      { file: 'lib/records/r.ts', source: 'export function unsafeDump() {}' },
      { file: 'cli/ok.ts', source: 'unsafeSystemCaller()' },
      { file: 'test/ok.ts', source: "{ type: 'unsafe-system' }" },
    ];
    expect(unsafeNameViolations(unsafe)).toEqual([
      'app/p/page.tsx: unsafeSystemCaller',
      "app/q/page.tsx: builds an 'unsafe-system' credential",
      'lib/records/r.ts: unsafeDump',
    ]);
  });
});

/**
 * Files whose Chinese text is generated DATA, never a message a person is told:
 * - lib/examples/fake-customers.ts: surnames, given names, cities and streets the example
 *   generator combines into fake customers (the 客户管理 example's records).
 * - lib/masking/cn-data.ts: compound surnames and province names the mask rules match values
 *   against (欧阳娜娜 → 欧阳**, 广东省深圳市… → 广东省深圳市******).
 * Nothing else: department and group names of the example come from schemas/templates/, and every
 * message of lib/ is a key in messages/ (msg() in lib/i18n.ts).
 */
const CHINESE_DATA_FILES = new Set(['lib/examples/fake-customers.ts', 'lib/masking/cn-data.ts']);

export function hardCodedChinese(files: { file: string; source: string }[]): string[] {
  return files
    .filter((f) => !/\.test\.tsx?$/.test(f.file) && !CHINESE_DATA_FILES.has(f.file))
    .filter((f) => /[\u4e00-\u9fff]/.test(stripComments(f.source)))
    .map((f) => f.file);
}

describe('UI strings', () => {
  it('app/ and components/ hold no hard-coded Chinese text: it lives in messages/', () => {
    expect(hardCodedChinese(uiFiles)).toEqual([]);
  });

  it('lib/ holds no hard-coded Chinese text either: its messages are keys in messages/', () => {
    const lib = allCode.filter((f) => f.file.startsWith('lib/'));
    expect(lib.length).toBeGreaterThan(50);
    expect(hardCodedChinese(lib)).toEqual([]);
    // The allowlist names files that exist and still hold data, so it cannot go stale silently.
    for (const file of CHINESE_DATA_FILES) {
      const data = lib.find((f) => f.file === file);
      expect(data && /[\u4e00-\u9fff]/.test(stripComments(data.source)), file).toBe(true);
    }
  });

  it('the check flags Chinese in code and ignores it in comments and tests', () => {
    const samples = [
      { file: 'lib/forms/x.ts', source: "throw new AppError('not_found', say(locale, { zh: '表单不存在', en: 'Form not found' }));" },
      { file: 'lib/records/y.ts', source: '// 记录不存在: a comment\n/** 表单 */\nexport const a = 1;' },
      { file: 'lib/records/y.test.ts', source: "expect(m).toBe('记录不存在');" },
      { file: 'lib/examples/fake-customers.ts', source: "const SURNAMES = ['王', '李'];" },
      { file: 'components/z.tsx', source: 'export const Z = () => <span>保存</span>;' },
    ];
    expect(hardCodedChinese(samples)).toEqual(['lib/forms/x.ts', 'components/z.tsx']);
  });
});
