import type { ReactNode } from 'react';
import { Button, Result, type ResultProps } from 'antd';

/** A full-page antd Result (403, 404, errors) with a way back. */
export function ResultPage({
  status,
  title,
  subTitle,
  backLabel,
  backHref = '/apps',
  extra,
}: {
  status: ResultProps['status'];
  title: ReactNode;
  subTitle?: ReactNode;
  backLabel: string;
  backHref?: string;
  extra?: ReactNode;
}) {
  return (
    <div className="fw-result-page">
      <Result
        status={status}
        title={title}
        subTitle={subTitle}
        extra={[
          extra,
          <Button key="back" type="primary" href={backHref}>
            {backLabel}
          </Button>,
        ]}
      />
    </div>
  );
}
