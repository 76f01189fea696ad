/** Shapes the record form shares with the pages that use it (plain data, no server imports). */

/** A user the owner picker offers (the `listUserOptions` operation). */
export interface UserOption {
  id: string;
  name: string;
  departmentName: string | null;
}

export type RecordFormMode = 'create' | 'edit' | 'view' | 'preview';

/** What a submit handler answers; `error.fields` maps a field key to a message in the user's language. */
export interface SubmitResult {
  ok: boolean;
  error?: { code?: string; message: string; fields?: Record<string, string> };
}
