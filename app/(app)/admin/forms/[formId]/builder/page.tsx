import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getFormDraft, listFieldJobs, listFormsForAdmin } from '@/lib/forms/operations';
import { listUserOptions } from '@/lib/directory/operations';
import { getMe } from '@/lib/auth/operations';
import { FormBuilder } from '@/components/form-builder/form-builder';
import { fieldJobsAction, publishFormAction, saveFormDraftAction } from '../../actions';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('builder.crumbs');
  return { title: t('builder') };
}

export default async function BuilderPage({ params }: { params: Params }) {
  const { formId } = await params;
  if (!UUID_PATTERN.test(formId)) notFound();
  const [draft, forms, users, me, jobs] = await Promise.all([
    callForPage(getFormDraft, { formId }),
    callForPage(listFormsForAdmin, {}),
    callForPage(listUserOptions, {}),
    callForPage(getMe, {}),
    callForPage(listFieldJobs, { formId }),
  ]);
  const summary = forms.find((f) => f.id === formId);
  return (
    <FormBuilder
      formId={formId}
      initial={{
        name: draft.name,
        description: draft.description,
        draft: draft.draft,
        publishedVersion: draft.publishedVersion,
        hasUnpublishedChanges: summary?.hasUnpublishedChanges ?? false,
        removedFields: draft.removedFields,
        publishedKeys: draft.publishedKeys,
        encryptedKeys: draft.encryptedKeys,
      }}
      fieldJobs={{ jobs, refresh: fieldJobsAction }}
      userOptions={users}
      currentUserId={me.id}
      saveDraftAction={saveFormDraftAction}
      publishAction={publishFormAction}
    />
  );
}
