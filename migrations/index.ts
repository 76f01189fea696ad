/**
 * The ordered list of migrations. Listed statically (not read from the folder)
 * so the bundled server, the CLI and the tests all carry the same set.
 */
import type { Migration } from 'kysely/migration';
import * as initial from './2026-11-29-0001-initial';
import * as encryptionKeys from './2026-11-29-0002-encryption-keys';
import * as signInHardening from './2026-12-01-0001-sign-in-hardening';
import * as accounts from './2026-12-01-0002-accounts';
import * as recordIndexes from './2026-12-01-0003-record-indexes';
import * as appRoleAndRls from './2026-12-02-0001-app-role-and-rls';
import * as rlsCallerOnce from './2026-12-02-0002-rls-caller-once';
import * as recordsVersion from './2026-12-02-0003-records-version';
import * as rlsRowFacts from './2026-12-02-0004-rls-row-facts';
import * as keysAndJobs from './2026-12-02-0005-keys-and-jobs';
import * as blindIndex from './2026-12-02-0006-blind-index';
import * as sm4Tokens from './2026-12-02-0007-sm4-tokens';
import * as blindIndexLookup from './2026-12-02-0008-blind-index-lookup';
import * as decryptAndLookupRotation from './2026-12-03-0001-decrypt-and-lookup-rotation';
import * as recordLookups from './2026-12-03-0002-record-lookups';
import * as auditChain from './2026-12-03-0003-audit-chain';

export const migrations: Record<string, Migration> = {
  '2026-11-29-0001-initial': initial,
  '2026-11-29-0002-encryption-keys': encryptionKeys,
  '2026-12-01-0001-sign-in-hardening': signInHardening,
  '2026-12-01-0002-accounts': accounts,
  '2026-12-01-0003-record-indexes': recordIndexes,
  '2026-12-02-0001-app-role-and-rls': appRoleAndRls,
  '2026-12-02-0002-rls-caller-once': rlsCallerOnce,
  '2026-12-02-0003-records-version': recordsVersion,
  '2026-12-02-0004-rls-row-facts': rlsRowFacts,
  '2026-12-02-0005-keys-and-jobs': keysAndJobs,
  '2026-12-02-0006-blind-index': blindIndex,
  '2026-12-02-0007-sm4-tokens': sm4Tokens,
  '2026-12-02-0008-blind-index-lookup': blindIndexLookup,
  '2026-12-03-0001-decrypt-and-lookup-rotation': decryptAndLookupRotation,
  '2026-12-03-0002-record-lookups': recordLookups,
  '2026-12-03-0003-audit-chain': auditChain,
};
