'use client';
import { useEffect } from 'react';
import { Button } from 'antd';
import { useTranslations } from 'next-intl';
import { ResultPage } from '@/components/result-page';

// The message of an unexpected error is not shown: it could carry internals.
// The digest lets an operator find the server log line.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations('common');
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <ResultPage
      status="error"
      title={t('pages.error.title')}
      subTitle={error.digest ? t('pages.error.subtitleWithId', { id: error.digest }) : t('pages.error.subtitle')}
      backLabel={t('actions.backHome')}
      extra={
        <Button key="retry" onClick={reset}>
          {t('actions.retry')}
        </Button>
      }
    />
  );
}
