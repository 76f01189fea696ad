/**
 * Where record rows become DTOs: opens sealed values, notes the ones that do
 * not open, and says what the caller may do on each row.
 */
import 'server-only';
import type { Principal } from '@/lib/auth/principal';
import type { AuditEntry } from '@/lib/audit/append';
import { actionsOn } from '@/lib/policy/grants';
import type { FormAccess } from './form-access';
import { openValue } from './protect';
import type { RecordRow } from './record-query';
import type { RecordDTO } from './dto';

export interface RecordView {
  toDTO(row: RecordRow): RecordDTO;
  /** Audit events for the values that did not open; the operation appends them after its own event. */
  failures(): AuditEntry[];
}

/**
 * A view for one request. Every value that fails to decrypt is reported as
 * one `records.decryptFailed` audit event per record (form, record and
 * field names, never the token or any value), so tampering leaves a trace.
 */
export function recordView(form: FormAccess, principal: Principal): RecordView {
  const reported = new Map<string, AuditEntry>();
  return {
    failures: () => [...reported.values()],
    toDTO(row) {
      const values: Record<string, unknown> = {};
      const unreadable: string[] = [];
      for (const f of form.fields) {
        if (f.key === form.ownerKey) values[f.key] = row.owner_id;
        // Only encrypted fields are opened: a plain field shows what was typed, "fw1.…" included,
        // so typed text can never be taken for ciphertext (publish refuses turning encryption
        // off over sealed values).
        else if (row.values[f.key] !== undefined && !f.schema['x-encrypted']) values[f.key] = row.values[f.key];
        else if (row.values[f.key] !== undefined) {
          const opened = openValue(form.crypto, form.formId, row.id, f.key, row.values[f.key]);
          if (opened.ok) values[f.key] = opened.value;
          else unreadable.push(f.key);
        }
      }
      if (unreadable.length && !reported.has(row.id)) {
        reported.set(row.id, {
          action: 'records.decryptFailed',
          outcome: 'failed',
          resourceType: 'record',
          resourceId: row.id,
          formId: form.formId,
          recordIds: [row.id],
          fields: unreadable,
        });
      }
      return {
        id: row.id,
        formId: row.form_id,
        formVersion: row.form_version,
        values,
        unreadable,
        owner: { id: row.owner_id, name: row.owner_name },
        departmentId: row.department_id,
        version: row.version,
        createdAt: new Date(row.created_at).toISOString(),
        updatedAt: new Date(row.updated_at).toISOString(),
        can: actionsOn(form.decisions, { ownerId: row.owner_id, departmentId: row.department_id }, principal),
      };
    },
  };
}
