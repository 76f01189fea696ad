'use client';
import { useEffect, useRef } from 'react';
import type { FormInstance } from 'antd';

/**
 * Puts a dialog's values into its form each time the dialog opens.
 *
 * antd keeps a `Form.useForm()` store across mounts, and `initialValues`
 * only fill fields the store has no value for: after 新建用户 was cancelled the
 * store still held its empty `groupIds`, so editing a user showed no groups and
 * 保存 removed them from every group. Setting the values explicitly on open
 * makes the dialog show (and save) exactly the record it was opened for.
 */
export function useDialogForm<T>(form: FormInstance<T>, open: boolean, values: Partial<T>): void {
  const latest = useRef(values);
  latest.current = values;
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(latest.current as Parameters<FormInstance<T>['setFieldsValue']>[0]);
  }, [open, form]);
}
