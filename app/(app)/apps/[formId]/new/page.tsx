import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listUsableForms } from '@/lib/records/operations';
import { listUserOptions } from '@/lib/directory/operations';
import { getMe } from '@/lib/auth/operations';
import type { FormDefinition } from '@/lib/forms/definition';
import { NewRecord } from '@/components/records/new-record';
import { createRecordAction } from '../../actions';

type Params = Promise<{ formId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('records.new');
  return { title: t('title') };
}

export default async function NewRecordPage({ params }: { params: Params }) {
  const { formId } = await params;
  const [forms, users, me] = await Promise.all([callForPage(listUsableForms, {}), callForPage(listUserOptions, {}), callForPage(getMe, {})]);
  const form = forms.find((f) => f.id === formId);
  if (!form || !form.can.create) notFound();
  return (
    <NewRecord
      formId={formId}
      form={{ name: form.name, version: form.version, definition: form.schema as FormDefinition, canView: form.can.view }}
      userOptions={users}
      currentUserId={me.id}
      createAction={createRecordAction}
    />
  );
}
