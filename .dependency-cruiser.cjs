/**
 * The one door's boundaries, as an allowlist (DESIGN.md, "What makes the door
 * impossible to walk around" and "Layout"). Each rule names a part of the
 * tree and forbids every dependency that is NOT in that part's list, so a new
 * kind of import is refused until someone adds it here on purpose.
 *
 * Threats it stops: a page or route that reaches the database, keys or
 * ciphertext (directly or through an innocent-looking "pure" module), that
 * defines its own operation, or that builds the system caller; a library
 * layer that reaches upwards; cycles.
 *
 * Runs in `npm run lint` (hence `npm test` and CI); test/architecture.test.ts
 * plants bypasses in a copy of the tree and shows this config catches them.
 */

// ---------------------------------------------------------------- vocabulary
const any = (...res) => `(${res.join('|')})`;
const npm = (...names) => `^node_modules/${any(...names.map((n) => n.replace(/[/.]/g, (c) => `\\${c}`)))}/`;

/** Operations modules: the one door. */
const OPERATIONS = '^lib/.*/operations\\.ts$';
/** Transport adapters: build a Caller from a request, call an operation, shape its answer. */
const ADAPTERS = '^lib/(next|http)/';
/**
 * Pure modules the UI may use: definitions, validation (the same ajv
 * validator runs in the browser), field kinds, Chinese formats, policy and
 * masking (pure by the rules below), the record DTO types, i18n.
 */
const UI_PURE = [
  '^lib/(i18n|time-zone)\\.ts$',
  '^lib/forms/(definition|field-kinds|cn-formats|hookform-resolver|record-validator|ajv|grant-editing)\\.ts$',
  '^lib/policy/',
  '^lib/masking/',
  '^lib/records/dto\\.ts$',
  '^lib/access/wording\\.ts$',
];
/** Packages the UI may use. Not kysely, pg, PGlite, argon2, nor any Node built-in. */
const UI_PACKAGES = npm(
  'react', 'react-dom', 'next', 'next-intl', 'next-auth', 'antd', '@ant-design', 'dayjs', '@dnd-kit', 'react-hook-form',
  'server-only', 'client-only', '@types/react', '@types/react-dom',
);
/** Packages pure modules may use (they also run in the browser). */
const PURE_PACKAGES = npm('ajv', 'ajv-formats', 'ajv-i18n', 'ajv-errors', 're2js', '@hookform/resolvers', 'react-hook-form', '@types/react', 'json-schema-to-ts');
/**
 * Pure library layers: no database, keys, Node built-ins or server-only. A
 * new file at the root of lib/ is pure unless it is named in the layering.
 */
const PURE_LIB = [
  '^lib/(?!(env|secrets|operation|operation-types)\\.ts$)[^/]+\\.ts$',
  '^lib/policy/',
  '^lib/masking/',
  '^lib/forms/(?!operations\\.ts$)',
  '^lib/records/dto\\.ts$',
  '^lib/access/(wording|csv)\\.ts$',
];
/** lib/records' public face: its operations and DTO types; everything else in it is internal. */
const RECORDS_PUBLIC = '^lib/records/(operations|dto|jobs/operations)\\.ts$';
/**
 * Whose grants on which form, for admin tools (lib/access): users' facts and every group's
 * grant, never a record. The request path keeps its own prefetch (form-access.ts).
 */
const GRANT_LOADER = '^lib/records/grant-loader\\.ts$';
/** Seeds may write as the system (lib/examples); first-run setup uses them. */
const SEEDS = '^lib/examples/';

/** Node built-ins (`node:fs`, `crypto`, `fs/promises`). */
const CORE = '^(node:)?[a-z_/]+$';
/** Server-side library code shared by every layer above the database. */
const SERVER_BASE = ['^lib/env\\.ts$', ...PURE_LIB, '^schemas/', '^messages/', '^node_modules/', CORE];
/** Unit tests beside their source may import what they test with (vitest, fast-check, fixtures). */
const TESTS = '\\.test\\.tsx?$';
const NEXTAUTH_ROUTE = '^app/api/auth/\\[\\.\\.\\.nextauth\\]/route\\.ts$';
const APP_ALLOWED = ['^app/', '^components/', '^messages/', '^i18n/', '^schemas/', OPERATIONS, ADAPTERS, ...UI_PURE, UI_PACKAGES];

/** A part of the tree and everything it may import; anything else is refused. */
const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: [TESTS] },
  to: { pathNot: allowed },
});

module.exports = {
  forbidden: [
    // ------------------------------------------------------------- whole graph
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles hide layering mistakes and make module state order-dependent.',
      from: {},
      // Runtime cycles. A type-only import back (a helper module naming its
      // caller's types) is erased at build time and cannot create one.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import the checker cannot resolve is an import it cannot check.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'define-operation-only-in-operations-modules',
      severity: 'error',
      comment:
        '@/lib/operation (defineOperation, the database transaction, the audit) may be imported only by lib/**/operations.ts. ' +
        'Transport adapters use the types in lib/operation-types.ts.',
      from: { pathNot: [OPERATIONS] },
      to: { path: '^lib/operation\\.ts$' },
    },
    {
      name: 'operation-types-are-types',
      severity: 'error',
      comment: 'lib/operation-types.ts holds types only: import it with `import type`.',
      from: {},
      to: { path: '^lib/operation-types\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'system-caller-only-for-cli-jobs-seeds-migrations-tests',
      severity: 'error',
      comment:
        'The system caller (unsafeSystemCaller, unsafeCallerAs) acts outside any request. Only cli/, lib/jobs, seeds, migrations, tests and benchmarks may make one; ' +
        'lib/auth/principal.ts only checks the brand.',
      from: { pathNot: ['^cli/', '^lib/jobs/', SEEDS, '^migrations/', '^test/', '^bench/', '^lib/auth/principal\\.ts$'] },
      to: { path: '^lib/auth/system-caller\\.ts$' },
    },
    {
      name: 'records-internals-stay-inside',
      severity: 'error',
      comment: 'lib/records is the one door for record data: from outside it, only its operations and DTO types (seeds and tests excepted).',
      from: { pathNot: ['^lib/records/', SEEDS, '^test/', '^bench/'] },
      to: { path: '^lib/records/', pathNot: [RECORDS_PUBLIC, GRANT_LOADER] },
    },
    {
      name: 'grant-loader-only-for-access',
      severity: 'error',
      comment: "lib/records' grant loader answers an admin's question about any user: lib/access only (besides lib/records itself and tests).",
      from: { pathNot: ['^lib/records/', '^lib/access/', '^test/', '^bench/'] },
      to: { path: GRANT_LOADER },
    },
    {
      name: 'master-key-only-in-crypto',
      severity: 'error',
      comment: "The master key's provider: lib/crypto, and the start-up check that reports where the key lies (lib/jobs/background.ts).",
      from: { pathNot: ['^lib/crypto/', '^lib/jobs/background\\.ts$', '^test/'] },
      to: { path: '^lib/crypto/key-provider\\.ts$' },
    },
    {
      name: 'secrets-only-for-auth',
      severity: 'error',
      comment: 'The sign-in secret: lib/auth only (the master key has its provider in lib/crypto).',
      from: { pathNot: ['^lib/auth/', '^test/'] },
      to: { path: '^lib/secrets\\.ts$' },
    },

    // ------------------------------------------------------------- app/ and components/
    {
      ...layer(
        'app-allowlist',
        '^app/',
        APP_ALLOWED,
        'app/ holds routes only: it calls operations (lib/**/operations.ts) through the adapters (lib/next, lib/http) and may use the named pure modules.',
      ),
      from: { path: '^app/', pathNot: [NEXTAUTH_ROUTE, TESTS] },
    },
    layer(
      'next-auth-route-allowlist',
      NEXTAUTH_ROUTE,
      [...APP_ALLOWED, '^lib/auth/next-auth\\.ts$'],
      "next-auth's own handler, the one route not built with restRoute(): its only data access is `authorize`, which calls auth.signIn.",
    ),
    layer(
      'components-allowlist',
      '^components/',
      ['^components/', '^messages/', '^schemas/', OPERATIONS, ...UI_PURE, UI_PACKAGES],
      'Components render what operations returned: types from operations modules, pure modules, UI packages. Not app/, not adapters, no data access.',
    ),

    // ------------------------------------------------------------- root files
    layer(
      'root-config-allowlist',
      '^(next\\.config|proxy|middleware)\\.ts$',
      ['^lib/(env|i18n|time-zone)\\.ts$', '^i18n/', '^messages/', npm('next', 'next-intl', 'next-auth'), CORE],
      'next.config.ts and proxy.ts run outside the operation runner: configuration and locale only, no database or keys.',
    ),
    layer(
      'instrumentation-allowlist',
      '^instrumentation(-client)?\\.ts$',
      ['^lib/(env|i18n)\\.ts$', '^lib/db/', '^lib/jobs/', '^node_modules/', CORE],
      'Start-up hooks: configuration, the database (refuse a superuser, migrate) and jobs.',
    ),
    layer(
      'server-entry-allowlist',
      '^server\\.ts$',
      ['^lib/env\\.ts$', '^lib/auth/client-ip\\.ts$', npm('next'), CORE],
      'The custom server only hands requests to Next, stamping the TCP peer address (lib/auth/client-ip): configuration and Node built-ins, no database, keys or operations.',
    ),
    {
      name: 'root-unknown-file',
      severity: 'error',
      comment: 'A new source file at the root gets its own allowlist above before it may import the app (the tool configs named here are not part of the app).',
      from: {
        path: '^[^/]+\\.(ts|tsx|mts|cts|js|mjs|cjs)$',
        pathNot: ['^(next\\.config|proxy|middleware|instrumentation(-client)?|server)\\.ts$', '^(vitest|playwright)\\.config\\.ts$', '^eslint\\.config\\.js$', '^\\.dependency-cruiser\\.cjs$', '^next-env\\.d\\.ts$'],
      },
      to: { path: '^(app|components|lib|cli|i18n|messages|schemas|migrations)/' },
    },
    layer(
      'i18n-allowlist',
      '^(i18n|messages)/',
      ['^i18n/', '^messages/', '^lib/(i18n|time-zone)\\.ts$', npm('next', 'next-intl')],
      'Message catalogues and next-intl configuration: no data access.',
    ),

    // ------------------------------------------------------------- lib/ layering (dependencies point downward)
    layer(
      'pure-lib-allowlist',
      any(...PURE_LIB),
      [...PURE_LIB, '^schemas/', '^messages/', PURE_PACKAGES],
      'policy, masking, forms definitions and validation, errors, i18n and DTO types are pure: no database, keys, Node built-ins or server-only. They also run in the browser.',
    ),
    layer('env-allowlist', '^lib/env\\.ts$', [CORE], 'Configuration, validated once: Node built-ins only.'),
    layer('secrets-allowlist', '^lib/secrets\\.ts$', ['^lib/env\\.ts$', npm('server-only'), CORE], 'Keys read from the environment or the data folder.'),
    layer(
      'db-allowlist',
      '^lib/db/',
      ['^lib/db/', '^lib/env\\.ts$', '^migrations/', npm('kysely', 'pg', '@electric-sql/pglite', 'server-only', '@types/pg'), CORE],
      'The connection, schema types, migrator and roles: nothing above the database.',
    ),
    layer('migrations-allowlist', '^migrations/', ['^migrations/', npm('kysely')], 'Migrations never import app code.'),
    {
      ...layer(
        'crypto-allowlist',
        '^lib/crypto/',
        ['^lib/crypto/', '^lib/db/', ...SERVER_BASE],
        'Key provider, keyring, field cipher, blind index: on top of the database only.',
      ),
      from: { path: '^lib/crypto/', pathNot: ['^lib/crypto/operations\\.ts$', TESTS] },
    },
    layer(
      'crypto-operations-allowlist',
      '^lib/crypto/operations\\.ts$',
      ['^lib/crypto/', '^lib/jobs/queue\\.ts$', RECORDS_PUBLIC, '^lib/db/', '^lib/audit/', '^lib/auth/(principal|credential)\\.ts$', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      "Key status, rotation and master-key re-wrapping: the keyring, the job queue, and stored values' counts through lib/records' public face.",
    ),
    {
      ...layer(
        'audit-allowlist',
        '^lib/audit/',
        ['^lib/audit/', '^lib/db/', '^lib/crypto/', '^lib/secrets\\.ts$', ...SERVER_BASE],
        'Append, seal, verify: the audit log sits below every use case.',
      ),
      from: { path: '^lib/audit/', pathNot: ['^lib/audit/operations\\.ts$', TESTS] },
    },
    layer(
      'audit-operations-allowlist',
      '^lib/audit/operations\\.ts$',
      ['^lib/audit/', '^lib/db/', '^lib/auth/(principal|credential)\\.ts$', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'Sealing, checkpoints and verification as operations: for the job runner, the command line and the admin pages.',
    ),
    layer(
      'auth-allowlist',
      '^lib/auth/',
      ['^lib/auth/', '^lib/db/', '^lib/audit/', '^lib/crypto/', '^lib/secrets\\.ts$', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'Principals, passwords, sessions, tokens: no records, no directory, no UI.',
    ),
    layer(
      'directory-allowlist',
      '^lib/directory/',
      ['^lib/directory/', '^lib/auth/', '^lib/db/', '^lib/audit/', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'Users, departments, groups: configuration, never record data.',
    ),
    layer(
      'forms-operations-allowlist',
      '^lib/forms/operations\\.ts$',
      ['^lib/forms/', '^lib/db/', '^lib/audit/', '^lib/auth/(principal|credential)\\.ts$', RECORDS_PUBLIC, '^lib/jobs/queue\\.ts$', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'Builder and grant operations: form definitions, record counts only through lib/records\' public face, and the job that seals existing values.',
    ),
    layer(
      'records-allowlist',
      '^lib/records/',
      ['^lib/records/', '^lib/db/', '^lib/crypto/(?!operations\\.ts$)', '^lib/jobs/queue\\.ts$', '^lib/audit/', '^lib/auth/(principal|credential)\\.ts$', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'lib/records -> policy, crypto, masking, audit, forms, db; a batch of a job commits its checkpoint through the job queue.',
    ),
    layer(
      'access-allowlist',
      '^lib/access/',
      ['^lib/access/', RECORDS_PUBLIC, GRANT_LOADER, '^lib/db/', '^lib/audit/', '^lib/auth/(principal|credential)\\.ts$', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      "The access overview (explain, by user / by form, view-as): grants through the grant loader, records through lib/records' public face only.",
    ),
    layer(
      'export-allowlist',
      '^lib/export/',
      ['^lib/export/', RECORDS_PUBLIC, '^lib/db/', '^lib/audit/', '^lib/auth/(principal|credential)\\.ts$', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'lib/export -> records (its public face), audit.',
    ),
    layer(
      'jobs-allowlist',
      '^lib/jobs/',
      ['^lib/jobs/', OPERATIONS, '^lib/operation(-types)?\\.ts$', '^lib/db/', '^lib/audit/', '^lib/crypto/', '^lib/auth/system-caller\\.ts$', '^lib/auth/(principal|credential)\\.ts$', ...SERVER_BASE],
      'Background work: calls operations as the system caller, or works below them (re-encryption, sealing).',
    ),
    layer(
      'seeds-allowlist',
      SEEDS,
      ['^lib/examples/', '^lib/records/', '^lib/crypto/', '^lib/db/', '^lib/auth/', '^lib/directory/', '^lib/audit/', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'Seeds write example data as the system (hence unsafe…): called from setup, the CLI and tests.',
    ),
    layer(
      'setup-allowlist',
      '^lib/setup/',
      ['^lib/setup/', SEEDS, '^lib/directory/', '^lib/auth/', '^lib/audit/', '^lib/db/', '^lib/operation(-types)?\\.ts$', ...SERVER_BASE],
      'First run: the first admin, and the example through the seeds.',
    ),
    {
      ...layer(
      'adapters-allowlist',
      ADAPTERS,
      [
        '^lib/(next|http)/',
        OPERATIONS,
        '^lib/operation-types\\.ts$',
        '^lib/auth/(credential|client-ip|next-auth|redirect)\\.ts$',
        '^lib/auth/principal\\.ts$',
        ...SERVER_BASE,
      ],
      'Adapters build a Caller from a request and call operations; they never open the database.',
      ),
      from: { path: ADAPTERS, pathNot: [OPERATIONS, TESTS] },
    },
    layer(
      'operation-runner-allowlist',
      '^lib/operation\\.ts$',
      ['^lib/operation-types\\.ts$', '^lib/db/', '^lib/audit/', '^lib/auth/(principal|credential)\\.ts$', ...SERVER_BASE],
      'The runner: principal, transaction, validation, audit.',
    ),
    layer('operation-types-allowlist', '^lib/operation-types\\.ts$', ['^lib/auth/credential\\.ts$', '^lib/i18n\\.ts$', npm('json-schema-to-ts')], 'Types only.'),
    {
      name: 'lib-unknown-part',
      severity: 'error',
      comment: 'A new folder or root file in lib/ gets its place in the layering above before it may import anything.',
      from: {
        path: '^lib/',
        pathNot: [
          TESTS,
          '^lib/[^/]+\\.ts$',
          '^lib/(policy|masking|forms|records|db|crypto|audit|auth|directory|access|export|jobs|examples|setup|next|http)/',
        ],
      },
      to: {},
    },

    // ------------------------------------------------------------- the command line
    layer(
      'cli-allowlist',
      '^cli/',
      ['^cli/', OPERATIONS, '^lib/auth/system-caller\\.ts$', '^lib/db/(index|migrate)\\.ts$', '^lib/examples/seed\\.ts$', '^lib/jobs/runner\\.ts$', ...SERVER_BASE],
      'The CLI calls operations as the system caller; it opens and migrates the database and may run due jobs (`fw jobs run`), nothing more.',
    ),
  ],

  required: [
    {
      name: 'server-only-where-data-lives',
      severity: 'error',
      comment:
        'Modules that hold the database, keys or ciphertext, or run operations, carry `import "server-only"`: a client bundle that pulls one in fails to build.',
      module: {
        path: [
          '^lib/db/(connection|index|migrate)\\.ts$',
          '^lib/crypto/',
          '^lib/secrets\\.ts$',
          '^lib/audit/',
          '^lib/operation\\.ts$',
          OPERATIONS,
          '^lib/records/',
          '^lib/auth/',
          '^lib/directory/',
          '^lib/access/',
          '^lib/examples/seed\\.ts$',
          '^lib/jobs/',
          '^lib/export/',
          ADAPTERS,
        ],
        pathNot: ['\\.test\\.ts$', '^lib/records/dto\\.ts$', '^lib/access/(wording|csv)\\.ts$', '^lib/auth/(credential|client-ip)\\.ts$', '^lib/http/(openapi|list-query)\\.ts$'],
      },
      to: { path: '^node_modules/server-only/' },
    },
  ],

  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^\\.next/', '^\\.data/', '^\\.test-data/', '^test-results/', '^playwright-report/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    moduleSystems: ['es6', 'cjs'],
    skipAnalysisNotInRules: true,
  },
};
