/**
 * The 国密 suite (FW_FIELD_CIPHER=sm4) seals values as `fw2.…` tokens next to AES-GCM's
 * `fw1.…`: the privileged counters that tell sealed values from plain ones (the builder's
 * publish checks) must count both as sealed.
 */
import type { Kysely } from 'kysely';
import { sealedValueCounters } from './2026-12-02-0001-app-role-and-rls';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const f of sealedValueCounters('create or replace', (text) => `${text} ~ '^fw[12]\\.[0-9]+\\.'`)) await f.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const f of sealedValueCounters('create or replace', (text) => `${text} like 'fw1.%'`)) await f.execute(db);
}
