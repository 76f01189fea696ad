/** Table types for Kysely. Column names stay snake_case, as in SQL. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | T, string | T>;

export interface DepartmentsTable {
  id: Generated<string>;
  name: string;
  parent_id: string | null;
  sort: Generated<number>;
  created_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  is_admin: Generated<boolean>;
  status: Generated<'active' | 'disabled'>;
  department_id: string | null;
  locale: Generated<string>;
  /** Someone else chose the password (admin reset, new account, example): change it at next sign-in. */
  must_change_password: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface GroupsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  created_at: Generated<Date>;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface FormsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  /** The definition being edited in the builder; published copies live in form_versions. */
  draft: Json<unknown>;
  published_version: Generated<number>;
  /** A new random id whenever a statement writes the form's records (migration 2026-12-02-0003). */
  records_version: Generated<string>;
  /** Keys whose sealed values a `fields.unseal` job is opening into plain text (migration 2026-12-03-0001). */
  unsealing: Generated<string[]>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  archived_at: NullableTimestamp;
}

export interface FormVersionsTable {
  form_id: string;
  version: number;
  schema: Json<unknown>;
  published_by: string | null;
  published_at: Generated<Date>;
}

export interface GrantsTable {
  form_id: string;
  group_id: string;
  grant: Json<unknown>;
  updated_by: string | null;
  updated_at: Generated<Date>;
}

export interface RecordsTable {
  id: Generated<string>;
  form_id: string;
  form_version: number;
  values: Json<Record<string, unknown>>;
  owner_id: string;
  department_id: string | null;
  version: Generated<number>;
  created_by: string;
  created_at: Generated<Date>;
  updated_by: string | null;
  updated_at: Generated<Date>;
  deleted_at: NullableTimestamp;
  deleted_by: string | null;
  /** Per encrypted lookup field, the blind-index digest of its value (lib/crypto/blind-index.ts). */
  blind_index: ColumnType<Record<string, string>, string | undefined, string>;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
  /** SHA-256 (hex) of the session secret the JWT carries; the secret itself is never stored. */
  secret_hash: string;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  /** Defaults to 90 days after creation; every token expires. */
  expires_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** May call only operations marked readOnly. */
  read_only: Generated<boolean>;
}

/** Sign-in and API-token failure counters and temporary locks (lib/auth/throttle.ts). */
export interface AuthThrottleTable {
  key: string;
  failures: Generated<number>;
  last_failure_at: Generated<Date>;
  locked_until: NullableTimestamp;
  audited_at: NullableTimestamp;
  reported: Generated<number>;
}

export interface AuditEventsTable {
  id: Generated<string>;
  at: Generated<Date>;
  actor_id: string | null;
  actor_label: string | null;
  ip: string | null;
  action: string;
  outcome: string;
  resource_type: string | null;
  resource_id: string | null;
  form_id: string | null;
  record_ids: Json<string[]> | null;
  fields: Json<string[]> | null;
  details: Json<Record<string, unknown>> | null;
}

export interface EncryptionKeysTable {
  version: number;
  /** The data key, AES-256-GCM-wrapped by the master key. */
  wrapped_key: string;
  created_at: Generated<Date>;
  /** Values sealed under this version, as the instances last reported (lib/crypto/keyring.ts flushKeyUsage). */
  encryptions: Generated<string>;
  retired_at: NullableTimestamp;
}

/** The blind-index keys, wrapped by the master key, apart from the data keys. */
export interface BlindIndexKeysTable {
  version: number;
  wrapped_key: string;
  created_at: Generated<Date>;
  /** Set when a rebuild moved every digest off it: lookups no longer ask for it. */
  retired_at: NullableTimestamp;
}

/** Durable background work (lib/jobs). `params` and `checkpoint` hold ids and counts, never values. */
export interface JobsTable {
  id: Generated<string>;
  kind: string;
  params: Json<Record<string, unknown>>;
  state: Generated<'queued' | 'running' | 'done' | 'failed' | 'cancelled'>;
  singleton: string | null;
  checkpoint: Json<Record<string, unknown>> | null;
  done: Generated<string>;
  total: string | null;
  rate: number | null;
  run_after: Generated<Date>;
  lease: string | null;
  leased_by: string | null;
  lease_expires_at: NullableTimestamp;
  attempts: Generated<number>;
  error: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  started_at: NullableTimestamp;
  progressed_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
}

export interface DB {
  departments: DepartmentsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  forms: FormsTable;
  form_versions: FormVersionsTable;
  grants: GrantsTable;
  records: RecordsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  auth_throttle: AuthThrottleTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  encryption_keys: EncryptionKeysTable;
  jobs: JobsTable;
  blind_index_keys: BlindIndexKeysTable;
}
