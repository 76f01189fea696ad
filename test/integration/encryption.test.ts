/**
 * Canaries: plant recognisable values in encrypted fields through the one
 * door, then look for them everywhere the database keeps text.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { TestDatabase } from '../helpers/db';
import { useWorld, type World } from '../helpers/world';
import { createRecord, getRecord, listRecords, updateRecord } from '@/lib/records/operations';
import { failure } from '../helpers/outcome';
import { rotateDataKey } from '@/lib/crypto/operations';
import { runDueJobs } from '@/lib/jobs/runner';
import { unsafeSystemCaller } from '@/lib/auth/system-caller';

let t: TestDatabase;
let w: World;
useWorld((db, world) => ((t = db), (w = world)));

// Generated, valid mainland mobile numbers that appear nowhere else.
const CANARY = '13987650123';
const CANARY2 = '13987650456';

async function databaseText(): Promise<string> {
  const tables = ['records', 'audit_events', 'forms', 'form_versions', 'sessions', 'api_tokens', 'users', 'encryption_keys', 'blind_index_keys', 'record_lookups', 'jobs'];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql<{ t: string }>`select ${sql.table(table)}::text as t from ${sql.table(table)}`.execute(t.db);
    parts.push(...rows.rows.map((r) => r.t));
  }
  return parts.join('\n');
}

describe('encrypted fields', () => {
  it('stores no plaintext of an encrypted field, in any table, through create and update', async () => {
    const rec = await createRecord(w.caller('sales1'), { formId: w.formId, values: { name: '金丝雀公司', phone: CANARY } });
    expect(rec.values.phone).toBe(CANARY);
    const stored = await t.db.selectFrom('records').select('values').where('id', '=', rec.id).executeTakeFirstOrThrow();
    expect(String((stored.values as Record<string, unknown>).phone)).toMatch(/^fw1\.1\./);
    await updateRecord(w.caller('sales1'), { formId: w.formId, recordId: rec.id, version: rec.version, values: { phone: CANARY2 } });
    await listRecords(w.caller('sales1'), { formId: w.formId });
    // Searched by it, and the key rotated with every value re-encrypted by the job.
    expect((await listRecords(w.caller('sales1'), { formId: w.formId, q: CANARY2 })).items.map((r) => r.id)).toEqual([rec.id]);
    expect((await listRecords(w.caller('sales1'), { formId: w.formId, filter: { phone: CANARY2 } })).items.map((r) => r.id)).toEqual([rec.id]);
    await rotateDataKey(unsafeSystemCaller(), { graceSeconds: 0 });
    await runDueJobs();
    // An invalid attempt must not leak the value into errors or audit details either.
    const refused = await failure(createRecord(w.caller('sales1'), { formId: w.formId, values: { phone: `${CANARY}9` } }));
    expect(refused.code).toBe('invalid_input');
    // The message and details themselves (JSON.stringify of an Error drops its message).
    const told = `${refused.message}\n${JSON.stringify(refused.details ?? {})}`;
    expect(told).toContain('phone');
    expect(told).not.toContain(CANARY);
    const text = await databaseText();
    expect(text).toContain('金丝雀公司'); // the scan does see plain fields
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(CANARY2);
    expect((await getRecord(w.caller('sales1'), { formId: w.formId, recordId: rec.id })).values.phone).toBe(CANARY2);
  });

  it('a ciphertext copied into another record does not decrypt there', async () => {
    const [a, b] = w.records.sales1;
    const source = await t.db.selectFrom('records').select('values').where('id', '=', a).executeTakeFirstOrThrow();
    const target = await t.db.selectFrom('records').select('values').where('id', '=', b).executeTakeFirstOrThrow();
    await t.db
      .updateTable('records')
      .set({ values: JSON.stringify({ ...(target.values as object), phone: (source.values as Record<string, unknown>).phone }) })
      .where('id', '=', b)
      .execute();
    // It shows as unreadable (never as record a's number); records-unreadable.test.ts covers the rest.
    const rec = await getRecord(w.caller('sales1'), { formId: w.formId, recordId: b });
    expect(rec.unreadable).toEqual(['phone']);
    expect(rec.values).not.toHaveProperty('phone');
  });

  it('refuses to sort by an encrypted field', async () => {
    const err = await failure(listRecords(w.caller('sales1'), { formId: w.formId, sort: 'phone' }));
    expect(err.code).toBe('invalid_input');
    // The reason names the sort itself, not some other field.
    expect(err.details?.fields).toEqual({ sort: expect.stringMatching(/排序/) });
  });
});
