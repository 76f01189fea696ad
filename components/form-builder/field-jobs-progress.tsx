'use client';
/**
 * The builder's view of the background jobs that encrypt or decrypt a form's existing values
 * after a publish: which fields, how far, how fast, how long still. Asks again every 2 s while
 * one runs; the form stays in use throughout.
 */
import { useEffect, useState } from 'react';
import { Alert, Progress, Space, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import type { FieldJobDTO } from '@/lib/forms/operations';
import type { Action } from '../action-result';

export interface FieldJobsProps {
  jobs: FieldJobDTO[];
  refresh: Action<{ formId: string }, FieldJobDTO[]>;
}

const running = (j: FieldJobDTO) => j.state === 'queued' || j.state === 'running';

export function FieldJobsProgress({ formId, jobs: initial, refresh }: FieldJobsProps & { formId: string }) {
  const t = useTranslations('builder.fieldJobs');
  const [jobs, setJobs] = useState(initial);
  // A publish refreshes the page, which brings the job it started.
  useEffect(() => setJobs(initial), [initial]);
  const active = jobs.some(running);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      void refresh({ formId }).then((r) => r.ok && setJobs(r.data), () => undefined);
    }, 2000);
    return () => clearInterval(timer);
  }, [active, formId, refresh]);

  if (!jobs.length) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }} data-testid="field-jobs">
      {jobs.map((j) => {
        const fields = j.fields.map((f) => t('field', { title: f.title })).join(t('separator'));
        const what = j.kind === 'fields.unseal' ? 'unseal' : 'seal';
        const percent = j.total ? Math.floor((j.done / j.total) * 100) : j.state === 'done' ? 100 : 0;
        return (
          <Alert
            key={j.id}
            type={j.state === 'failed' ? 'error' : j.state === 'done' ? 'success' : what === 'unseal' ? 'warning' : 'info'}
            showIcon
            message={t(`${what}.${j.state}`, { fields })}
            description={
              <Space direction="vertical" size={2} style={{ width: '100%' }}>
                <Progress percent={percent} size="small" status={j.state === 'failed' ? 'exception' : running(j) ? 'active' : 'normal'} />
                <Typography.Text type="secondary">
                  {[
                    j.total !== null ? t('progress', { done: j.done.toLocaleString(), total: j.total.toLocaleString() }) : null,
                    running(j) && j.rate ? t('rate', { rate: Math.round(j.rate).toLocaleString() }) : null,
                    running(j) && j.etaSeconds !== null ? t('eta', { seconds: j.etaSeconds }) : null,
                    running(j) ? t('inUse') : null,
                    j.error ? t('error', { code: j.error }) : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </Typography.Text>
              </Space>
            }
          />
        );
      })}
    </Space>
  );
}
