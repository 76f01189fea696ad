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
