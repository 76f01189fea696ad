import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listFormsForAdmin } from '@/lib/forms/operations';
import { FormsAdmin } from '@/components/forms-admin/forms-admin';
import { createFormAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('builder.list');
  return { title: t('title') };
}

export default async function FormsPage() {
  const forms = await callForPage(listFormsForAdmin, {});
  return <FormsAdmin forms={forms} createAction={createFormAction} />;
}
