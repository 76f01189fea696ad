import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getRecord, listUsableForms } from '@/lib/records/operations';
import { listUserOptions } from '@/lib/directory/operations';
import type { FormDefinition } from '@/lib/forms/definition';
import { RecordDetail } from '@/components/records/record-detail';
import { deleteRecordAction, updateRecordAction } from '../../actions';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string; recordId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('records.detail');
  return { title: t('title') };
}

export default async function RecordPage({ params }: { params: Params }) {
  const { formId, recordId } = await params;
  if (!UUID_PATTERN.test(formId) || !UUID_PATTERN.test(recordId)) notFound();
  const [forms, users] = await Promise.all([callForPage(listUsableForms, {}), callForPage(listUserOptions, {})]);
  const form = forms.find((f) => f.id === formId);
  if (!form) notFound();
  const record = await callForPage(getRecord, { formId, recordId });
  // The owner may be disabled (not offered for new choices) but is still shown by name.
  const userOptions = users.some((u) => u.id === record.owner.id)
    ? users
    : [...users, { id: record.owner.id, name: record.owner.name, departmentName: null }];
  return (
    <RecordDetail
      formId={formId}
      form={{ name: form.name, version: form.version, definition: form.schema as FormDefinition }}
      record={record}
      userOptions={userOptions}
      updateAction={updateRecordAction}
      deleteAction={deleteRecordAction}
    />
  );
}
