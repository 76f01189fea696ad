/**
 * The application's role and its migration (issue 6 item 9; DESIGN.md "Database roles"):
 * old grants keep what they showed, the migration goes down and up again on a server where the
 * role already exists, production refuses a connection RLS cannot bind, and on PostgreSQL the
 * production shape works: a non-superuser schema owner migrates, runs every operation as the
 * role, sees no record outside one (FORCE), and the privileged statistics still count all.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { createTestDatabase } from '../helpers/db';
import { buildWorld } from '../helpers/world';
import { migrations } from '@/migrations';
import { openDatabase, useDatabase, type Database } from '@/lib/db/connection';
import { APP_ROLE, refuseRlsExemptConnection } from '@/lib/db/app-role';
import { listRecords } from '@/lib/records/operations';
import { countSealedValues } from '@/lib/records/record-stats';

const BEFORE = '2026-12-01-0003-record-indexes';

async function rlsState(db: Database) {
  const r = (
    await sql<{ rls: boolean; forced: boolean; schema: boolean; may_select: boolean }>`
      select c.relrowsecurity as rls, c.relforcerowsecurity as forced,
             exists (select from pg_namespace where nspname = 'fw_rls') as schema,
             has_table_privilege(${APP_ROLE}, 'records', 'select') as may_select
      from pg_class c where c.oid = 'records'::regclass`.execute(db)
  ).rows[0];
  return r;
}

describe('the migration', () => {
  it('gives old grants field modes (nobody loses what they saw); down strips what the old schema refuses; up again', async () => {
    const t = await createTestDatabase({ migrate: false });
    onTestFinished(() => t.drop());
    const migrator = new Migrator({ db: t.db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();

    const form = (await t.db.insertInto('forms').values({ name: 'f', draft: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    const grant = async (g: unknown) => {
      const group = (await t.db.insertInto('groups').values({ name: `g-${randomBytes(4).toString('hex')}` }).returning('id').executeTakeFirstOrThrow()).id;
      await t.db.insertInto('grants').values({ form_id: form, group_id: group, grant: JSON.stringify(g) }).execute();
      return group;
    };
    const stored = async (group: string) => (await t.db.selectFrom('grants').select('grant').where('group_id', '=', group).executeTakeFirstOrThrow()).grant;
    const old = {
      manageOwn: await grant({ actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } } }),
      createOnly: await grant({ actions: { create: {} } }),
      viewAll: await grant({ actions: { view: { scope: 'all' } } }),
      deleteOnly: await grant({ actions: { view: { scope: 'department' }, delete: { scope: 'department' } } }),
      garbage: await grant('not a grant'),
    };

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await stored(old.manageOwn)).toEqual({ actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } }, fields: { '*': 'write' } });
    expect(await stored(old.createOnly)).toEqual({ actions: { create: {} }, fields: { '*': 'write' } });
    expect(await stored(old.viewAll)).toEqual({ actions: { view: { scope: 'all' } }, fields: { '*': 'read' } });
    expect(await stored(old.deleteOnly)).toEqual({ actions: { view: { scope: 'department' }, delete: { scope: 'department' } }, fields: { '*': 'read' } });
    expect(await stored(old.garbage)).toBe('not a grant');
    expect(await rlsState(t.db)).toEqual({ rls: true, forced: true, schema: true, may_select: true });

    const fresh = {
      tree: await grant({
        actions: { view: { scope: 'department-tree' }, create: {}, edit: { scope: { field: 'level', eq: 'VIP' } }, reveal: { scope: 'all', reason: true }, export: { scope: 'all' } },
        fields: { '*': 'read', phone: 'masked' },
      }),
      own: await grant({ actions: { view: { scope: 'own' }, edit: { scope: 'own' }, assign: { scope: 'all' }, import: {} }, fields: { '*': 'write' } }),
    };
    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
    expect(await stored(fresh.tree)).toEqual({ actions: { create: {} } });
    expect(await stored(fresh.own)).toEqual({ actions: { view: { scope: 'own' }, edit: { scope: 'own' } } });
    expect(await stored(old.manageOwn)).toEqual({ actions: { view: { scope: 'own' }, create: {}, edit: { scope: 'own' } } });
    expect(await stored(old.garbage)).toBe('not a grant');
    expect(await rlsState(t.db)).toEqual({ rls: false, forced: false, schema: false, may_select: false });

    // Up again: the role exists now (roles are cluster-wide), which must not stop it.
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await rlsState(t.db)).toEqual({ rls: true, forced: true, schema: true, may_select: true });
  });
});

describe('a connection row-level security cannot bind', () => {
  it('is refused in production only (the test connection is a superuser, as PGlite always is)', async () => {
    const t = await createTestDatabase();
    onTestFinished(() => t.drop());
    await expect(refuseRlsExemptConnection(t.db, 'production')).rejects.toThrow(/superuser.*docs\/operations\.md/s);
    await expect(refuseRlsExemptConnection(t.db, 'test')).resolves.toBeUndefined();
    await expect(refuseRlsExemptConnection(t.db, 'development')).resolves.toBeUndefined();
  });
});

describe.runIf(process.env.FW_TEST_DB === 'postgres')('the production shape on PostgreSQL: a non-superuser owner', () => {
  it('migrates, runs operations as the role, sees no record outside one, and the statistics still count all', async () => {
    const adminUrl = process.env.TEST_DATABASE_URL!;
    const suffix = randomBytes(4).toString('hex');
    const owner = `fw_owner_${suffix}`;
    const name = `fw_test_owner_${suffix}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    // What docs/operations.md asks a DBA to do once (the role may exist from any other database).
    await admin.query(`create role ${owner} login password 'owner-${suffix}' nosuperuser nobypassrls`);
    await admin.query(`do $$ begin create role ${APP_ROLE} nologin nosuperuser nobypassrls noinherit; exception when duplicate_object or unique_violation then null; end $$`);
    await admin.query(`grant ${APP_ROLE} to ${owner}`);
    await admin.query(`create database ${name} owner ${owner}`);
    const previous = await (globalThis as unknown as { __fwDb?: Promise<Database> }).__fwDb;
    const opened: Database[] = [];
    onTestFinished(async () => {
      if (previous) useDatabase(previous);
      for (const db of opened) await db.destroy();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`drop role if exists ${owner}`);
      await admin.end();
    });
    const at = (user?: { name: string; password: string }) => {
      const url = new URL(adminUrl);
      if (user) [url.username, url.password] = [user.name, user.password];
      url.pathname = `/${name}`;
      return url.toString();
    };

    const app = await openDatabase({ kind: 'postgres', url: at({ name: owner, password: `owner-${suffix}` }), poolSize: 2 });
    opened.push(app);
    await expect(refuseRlsExemptConnection(app, 'production')).resolves.toBeUndefined();
    useDatabase(app);
    // Test data through a superuser connection to the same database (setup bypasses policy).
    const setup = await openDatabase({ kind: 'postgres', url: at(), poolSize: 2 }, { migrate: false });
    opened.push(setup);
    const w = await buildWorld(setup);

    expect((await listRecords(w.caller('sales1'), { formId: w.formId })).total).toBe(3);
    expect((await listRecords(w.caller('support'), { formId: w.formId })).total).toBe(9);
    // FORCE: the owner itself, outside an operation (no caller), sees no record at all.
    expect(await app.selectFrom('records').select('id').execute()).toEqual([]);
    expect((await setup.selectFrom('records').select('id').execute()).length).toBe(9);
    // The statistics' functions are owned by this non-superuser owner, and still count everything.
    const counts = await app.transaction().execute(async (trx) => {
      await sql`set local role ${sql.id(APP_ROLE)}`.execute(trx);
      await sql`select set_config('app.user_id', ${w.users.admin}, true)`.execute(trx);
      return countSealedValues(trx, w.formId, ['phone']);
    });
    expect(counts).toEqual({ phone: 9 });

    // Exact search on the encrypted phone: found within the caller's scope only, through the
    // lookup table's btree (under FORCEd policies an index on records.blind_index was unusable).
    expect((await listRecords(w.caller('support'), { formId: w.formId, q: '13800002002' })).items.map((r) => r.id)).toEqual([w.records.sales2[2]]);
    expect((await listRecords(w.caller('sales1'), { formId: w.formId, filter: { phone: '13800002002' } })).total).toBe(0);
    const plan = await app.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return (await sql`explain select l.record_id from record_lookups l where l.form_id = ${w.formId}::uuid and l.field = 'phone' and l.digest = 'x'`.execute(trx)).rows;
    });
    expect(JSON.stringify(plan)).toMatch(/Index (Only )?Scan using record_lookups_digest_idx/);
    // The application's role cannot read the table itself (only the definer function can).
    const denied = await app
      .transaction()
      .execute(async (trx) => {
        await sql`set local role ${sql.id(APP_ROLE)}`.execute(trx);
        await sql`select 1 from record_lookups`.execute(trx);
      })
      .then(() => 'read', (e: Error) => e.message);
    expect(denied).toContain('permission denied');
  });
});
