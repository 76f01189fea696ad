'use client';
/**
 * Reveals one masked value of one record, on request: asks for the reason when the grant
 * wants one, shows the plain value in the dialog once, and forgets it when the dialog
 * closes (it is never put back into the page's data). Every reveal is audited on the server.
 */
import { useState } from 'react';
import { Alert, Button, Input, Modal, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import type { Action } from '../action-result';
import { EyeOutlined } from '../icons';

export type RevealAction = Action<{ formId: string; recordId: string; field: string; reason?: string }, { field: string; value: unknown }>;

export function RevealButton({
  formId,
  recordId,
  field,
  fieldTitle,
  reasonRequired,
  revealAction,
}: {
  formId: string;
  recordId: string;
  field: string;
  fieldTitle: string;
  reasonRequired: boolean;
  revealAction: RevealAction;
}) {
  const t = useTranslations('records.reveal');
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const close = () => {
    setOpen(false);
    setValue(null);
    setReason('');
    setError(null);
  };

  const reveal = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await revealAction({ formId, recordId, field, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      if (result.ok) setValue(result.data.value === null || result.data.value === undefined ? '' : String(result.data.value));
      else setError(result.error.fields?.reason ?? result.error.message);
    } catch {
      setError(t('networkError'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button size="small" type="link" icon={<EyeOutlined />} onClick={() => setOpen(true)} data-testid={`reveal-${field}`}>
        {t('button')}
      </Button>
      <Modal
        open={open}
        title={t('title', { field: fieldTitle })}
        onCancel={close}
        destroyOnHidden
        footer={
          value === null
            ? [
                <Button key="cancel" onClick={close}>
                  {t('cancel')}
                </Button>,
                <Button key="ok" type="primary" loading={busy} disabled={reasonRequired && !reason.trim()} onClick={reveal} data-testid="reveal-confirm">
                  {t('confirm')}
                </Button>,
              ]
            : [
                <Button key="close" type="primary" onClick={close} data-testid="reveal-close">
                  {t('close')}
                </Button>,
              ]
        }
      >
        {value === null ? (
          <>
            <Typography.Paragraph type="secondary">{t('audited')}</Typography.Paragraph>
            {reasonRequired && (
              <Input.TextArea
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                maxLength={500}
                autoSize={{ minRows: 2, maxRows: 4 }}
                placeholder={t('reasonPlaceholder')}
                aria-label={t('reasonLabel')}
                data-testid="reveal-reason"
              />
            )}
            {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="reveal-error" />}
          </>
        ) : (
          <>
            <Typography.Paragraph type="secondary">{t('shownOnce')}</Typography.Paragraph>
            <Typography.Text strong copyable style={{ fontSize: 18 }} data-testid="revealed-value">
              {value}
            </Typography.Text>
          </>
        )}
      </Modal>
    </>
  );
}
