import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { ResultPage } from '@/components/result-page';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('common.pages.forbidden');
  return { title: t('title') };
}

export default async function ForbiddenPage() {
  const t = await getTranslations('common');
  return (
    <ResultPage
      status="403"
      title={t('pages.forbidden.title')}
      subTitle={t('pages.forbidden.subtitle')}
      backLabel={t('actions.backHome')}
    />
  );
}
