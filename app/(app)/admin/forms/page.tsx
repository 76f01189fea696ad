import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listFormsForAdmin } from '@/lib/forms/operations';
import { getExampleStatus } from '@/lib/examples/operations';
import { FormsAdmin } from '@/components/forms-admin/forms-admin';
import { ExampleBanner } from '@/components/forms-admin/example-banner';
import { createFormAction, removeExampleAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('builder.list');
  return { title: t('title') };
}

export default async function FormsPage() {
  const [forms, example] = await Promise.all([callForPage(listFormsForAdmin, {}), callForPage(getExampleStatus, {})]);
  return (
    <>
      <ExampleBanner status={example} removeExample={removeExampleAction} />
      <FormsAdmin forms={forms} createAction={createFormAction} />
    </>
  );
}
