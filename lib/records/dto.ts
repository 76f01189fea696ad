/** What leaves the records door: plain objects, never rows. */
import type { RecordAction } from '@/lib/policy/grants';

export interface UserRef {
  id: string;
  name: string;
}

export interface RecordDTO {
  id: string;
  formId: string;
  formVersion: number;
  /** Field key -> value, for fields of the form's current version only. */
  values: Record<string, unknown>;
  /**
   * Keys of encrypted fields whose stored value did not decrypt (tampered
   * with, or moved from another record or field): their value is omitted
   * and the UI shows "cannot decrypt". Saving a new value replaces it.
   */
  unreadable: string[];
  owner: UserRef;
  departmentId: string | null;
  /** Optimistic concurrency: send it back when saving. */
  version: number;
  createdAt: string;
  updatedAt: string;
  can: Record<RecordAction, boolean>;
}

export interface RecordPage {
  items: RecordDTO[];
  total: number;
  page: number;
  pageSize: number;
}
