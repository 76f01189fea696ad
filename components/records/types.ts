/** Records as the pages hand them to client components (the RecordDTO of docs/operations.md). */
export interface RecordItem {
  id: string;
  formId: string;
  formVersion: number;
  values: Record<string, unknown>;
  /** Encrypted fields whose stored value could not be decrypted (value omitted). */
  unreadable?: string[];
  owner: { id: string; name: string };
  departmentId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  can: { view: boolean; create: boolean; edit: boolean; delete: boolean };
}

export interface RecordPageData {
  items: RecordItem[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ListQuery {
  sort: string;
  order: 'asc' | 'desc';
  q: string;
}
