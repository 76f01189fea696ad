import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { newRecordPage } from '@/lib/records/operations';
import { getMe } from '@/lib/auth/operations';
import { NewRecord } from '@/components/records/new-record';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import { createRecordAction } from '../../actions';

type Params = Promise<{ formId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('records.new');
  return { title: t('title') };
}

export default async function NewRecordPage({ params }: { params: Params }) {
  const { formId } = await params;
  if (!UUID_PATTERN.test(formId)) notFound();
  const [data, me] = await Promise.all([callForPage(newRecordPage, { formId }), callForPage(getMe, {})]);
  return (
    <NewRecord
      formId={formId}
      form={{ name: data.form.name, version: data.form.version, definition: data.form.schema, fields: data.form.fields, canView: data.form.can.view }}
      userOptions={data.ownerOptions}
      currentUserId={me.id}
      createAction={createRecordAction}
    />
  );
}
