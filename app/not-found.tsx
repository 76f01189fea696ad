import { getTranslations } from 'next-intl/server';
import { ResultPage } from '@/components/result-page';

// One answer for "does not exist" and "not yours to see": a record outside
// the caller's scope must not reveal that it exists.
export default async function NotFound() {
  const t = await getTranslations('common');
  return (
    <ResultPage
      status="404"
      title={t('pages.notFound.title')}
      subTitle={t('pages.notFound.subtitle')}
      backLabel={t('actions.backHome')}
    />
  );
}
