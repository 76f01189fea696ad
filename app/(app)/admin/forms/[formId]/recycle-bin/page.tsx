import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getFormDraft } from '@/lib/forms/operations';
import { listDeletedRecords, listUsableForms } from '@/lib/records/operations';
import type { FormDefinition } from '@/lib/forms/definition';
import { RecycleBin } from '@/components/forms-admin/recycle-bin';
import { restoreRecordAction } from '../../actions';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('records.recycle');
  return { title: t('title') };
}

export default async function RecycleBinPage({ params }: { params: Params }) {
  const { formId } = await params;
  if (!UUID_PATTERN.test(formId)) notFound();
  const [draft, usable, t] = await Promise.all([
    callForPage(getFormDraft, { formId }),
    callForPage(listUsableForms, {}),
    getTranslations('records.recycle'),
  ]);
  // Deleted records are still records: an admin sees them within the view
  // grant of their own groups, like any other reader.
  const form = usable.find((f) => f.id === formId);
  const canView = Boolean(form?.can.view);
  const records = canView ? await callForPage(listDeletedRecords, { formId }) : null;
  return (
    <RecycleBin
      formId={formId}
      formName={draft.name}
      definition={(form?.schema as FormDefinition | undefined) ?? draft.draft}
      records={records}
      notice={canView ? undefined : draft.publishedVersion === 0 ? t('notPublished') : t('noViewGrant')}
      restoreAction={restoreRecordAction}
    />
  );
}
