'use client';
/**
 * Running a server action from a client component: field errors go under the
 * form's fields, other errors into a toast, success refreshes the page's
 * server data. Server actions answer `{ ok, data | error }` (lib/next/server-action.ts);
 * the shape is repeated here so components import nothing from lib/ on the server side.
 */
import { useCallback } from 'react';
import { useRouter } from 'next/navigation';
import { App, type FormInstance } from 'antd';
import { useTranslations } from 'next-intl';

export type ActionError = { code: string; message: string; fields?: Record<string, string> };
export type ActionResult<O> = { ok: true; data: O } | { ok: false; error: ActionError };
/** A server action as a client component receives it. */
export type Action<I, O = unknown> = (input: I) => Promise<ActionResult<O>>;

export interface RunOptions {
  /** Show field errors under the fields of this form. */
  form?: FormInstance;
  /** Toast on success. */
  success?: string;
  /** Re-fetch the server components of the page (default true). */
  refresh?: boolean;
}

export function useRunAction() {
  const { message } = App.useApp();
  const router = useRouter();
  const t = useTranslations('common.feedback');

  return useCallback(
    async <O,>(call: () => Promise<ActionResult<O>>, options: RunOptions = {}): Promise<ActionResult<O>> => {
      let result: ActionResult<O>;
      try {
        result = await call();
      } catch {
        message.error(t('networkError'));
        return { ok: false, error: { code: 'internal', message: t('networkError') } };
      }
      if (!result.ok) {
        const { form } = options;
        const fields = result.error.fields ?? {};
        const registered = new Set(form?.getFieldsError().map((f) => f.name.join('.')) ?? []);
        const unplaced: string[] = [];
        for (const [key, text] of Object.entries(fields)) {
          if (form && registered.has(key)) form.setFields([{ name: key.split('.'), errors: [text] }]);
          else unplaced.push(text);
        }
        const placed = Object.keys(fields).length - unplaced.length;
        // The fields already say what is wrong; the toast only repeats what has no field to sit under.
        if (placed === 0 || unplaced.length) message.error([result.error.message, ...unplaced].join(' · '));
        return result;
      }
      if (options.success) message.success(options.success);
      if (options.refresh !== false) router.refresh();
      return result;
    },
    [message, router, t],
  );
}
