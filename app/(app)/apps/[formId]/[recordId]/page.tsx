import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { recordPage } from '@/lib/records/operations';
import { RecordDetail } from '@/components/records/record-detail';
import { deleteRecordAction, revealFieldAction, updateRecordAction } from '../../actions';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string; recordId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('records.detail');
  return { title: t('title') };
}

/** One operation for the whole page: the form as the caller sees it, the record, the owners it may pick. */
export default async function RecordPage({ params }: { params: Params }) {
  const { formId, recordId } = await params;
  if (!UUID_PATTERN.test(formId) || !UUID_PATTERN.test(recordId)) notFound();
  const { form, record, ownerOptions } = await callForPage(recordPage, { formId, recordId });
  return (
    <RecordDetail
      formId={formId}
      form={{ name: form.name, version: form.version, definition: form.schema }}
      record={record}
      userOptions={ownerOptions}
      updateAction={updateRecordAction}
      deleteAction={deleteRecordAction}
      revealAction={revealFieldAction}
    />
  );
}
