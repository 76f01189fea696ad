'use client';
/**
 * The explain panel: a user, a form, optionally a record and a field → the decision in
 * sentences ("张三 可以看到此记录的 手机号（脱敏），因为用户组 客服，范围 全部"). The sentences
 * word explain()'s answer (lib/access/wording); nothing here decides anything.
 */
import { useEffect, useRef, useState } from 'react';
import { usePathname, useRouter } from 'next/navigation';
import { Alert, Button, Card, Col, Divider, Form, Input, Row, Select, Tag, Typography } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import type { ExplainResult, FormSummary } from '@/lib/access/operations';
import { actionSentence, fieldSentences, type Wording } from '@/lib/access/wording';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import type { Action } from '../action-result';
import { CheckCircleFilled, StopOutlined } from '../icons';
import { MODE_COLORS } from './rights';
import styles from './access.module.css';

export interface ExplainQuery {
  userId?: string;
  formId?: string;
  recordId?: string;
  field?: string;
}
export type ExplainAction = Action<{ userId: string; formId: string; recordId?: string; field?: string }, ExplainResult>;

export function ExplainPanel({
  users,
  forms,
  initial,
  explain,
}: {
  users: { value: string; label: string }[];
  forms: FormSummary[];
  initial: ExplainQuery;
  explain: ExplainAction;
}) {
  const t = useTranslations('access');
  const tf = useTranslations('common.feedback');
  const router = useRouter();
  const pathname = usePathname();
  const [form] = Form.useForm<ExplainQuery>();
  const formId = Form.useWatch('formId', form);
  const [result, setResult] = useState<ExplainResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const fields = forms.find((f) => f.id === formId)?.fields ?? [];

  const run = async (q: ExplainQuery) => {
    if (!q.userId || !q.formId) return;
    setRunning(true);
    setError(null);
    try {
      const input = { userId: q.userId, formId: q.formId, ...(q.recordId?.trim() ? { recordId: q.recordId.trim() } : {}), ...(q.field ? { field: q.field } : {}) };
      const res = await explain(input);
      if (res.ok) {
        setResult(res.data);
        // The question in the URL: a link to this answer, and the back button returns to it.
        const params = new URLSearchParams({ tab: 'explain', ...input });
        router.replace(`${pathname}?${params.toString()}`, { scroll: false });
      } else {
        setResult(null);
        setError(res.error.message);
      }
    } catch {
      setError(tf('networkError'));
    } finally {
      setRunning(false);
    }
  };

  // A link with the question asks it at once (from the overview's 解释 links).
  const asked = useRef(false);
  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    void run(initial);
  }, []);

  return (
    <div className={styles.explainForm}>
      <Typography.Paragraph type="secondary">{t('explain.intro')}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => void run(v)} requiredMark={false}>
        <Row gutter={16}>
          <Col xs={24} md={7}>
            <Form.Item name="userId" label={t('user')} rules={[{ required: true, message: t('pickUser') }]}>
              <Select showSearch={{ optionFilterProp: 'label' }} placeholder={t('pickUser')} options={users} data-testid="explain-user" />
            </Form.Item>
          </Col>
          <Col xs={24} md={5}>
            <Form.Item name="formId" label={t('form')} rules={[{ required: true, message: t('pickForm') }]}>
              <Select
                placeholder={t('pickForm')}
                options={forms.map((f) => ({ value: f.id, label: f.name }))}
                onChange={() => form.setFieldValue('field', undefined)}
                data-testid="explain-form"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item
              name="recordId"
              label={t('recordId')}
              tooltip={t('recordIdHelp')}
              rules={[{ validator: async (_, v?: string) => (!v?.trim() || UUID_PATTERN.test(v.trim()) ? undefined : Promise.reject(new Error(t('recordIdInvalid')))) }]}
            >
              <Input allowClear placeholder="00000000-0000-0000-0000-000000000000" data-testid="explain-record" />
            </Form.Item>
          </Col>
          <Col xs={24} md={4}>
            <Form.Item name="field" label={t('field')}>
              <Select allowClear placeholder={t('allFields')} options={fields.map((f) => ({ value: f.key, label: f.title }))} data-testid="explain-field" />
            </Form.Item>
          </Col>
          <Col xs={24} md={2}>
            <Form.Item label=" ">
              <Button type="primary" htmlType="submit" loading={running} block data-testid="explain-run">
                {t('explainButton')}
              </Button>
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 20 }} data-testid="explain-error" />}
      {result ? <Answer result={result} /> : !error && <Typography.Paragraph type="secondary">{t('explain.empty')}</Typography.Paragraph>}
    </div>
  );
}

function Answer({ result }: { result: ExplainResult }) {
  const t = useTranslations('access');
  const locale = useLocale();
  const w: Wording = { locale, userName: result.subject.name, fields: result.form.fields, onRecord: result.recordId !== null, names: result.names };
  const titleOf = (key: string) => result.form.fields.find((f) => f.key === key)?.title ?? key;
  return (
    <Card
      variant="outlined"
      size="small"
      style={{ marginBottom: 20 }}
      title={
        <span className={styles.resultHead}>
          {result.subject.name}
          <Typography.Text type="secondary">·</Typography.Text>
          {result.form.name}
          {result.recordId && <Tag variant="filled">{result.recordId}</Tag>}
          {result.field && <Tag color="blue">{titleOf(result.field)}</Tag>}
        </span>
      }
      data-testid="explain-result"
    >
      <Typography.Title level={5}>{t('explain.fieldsTitle')}</Typography.Title>
      <ul className={styles.sentences} data-testid="explain-fields">
        {result.explanation.fields.flatMap((f) =>
          fieldSentences(w, f).map((s, i) => (
            <li key={`${f.key}:${i}`} className={styles.sentence}>
              <Tag color={MODE_COLORS[f.mode]} variant="filled" className={styles.sentenceIcon} style={{ visibility: i === 0 ? 'visible' : 'hidden' }}>
                {t(`modes.${f.mode}`)}
              </Tag>
              <span>{s}</span>
            </li>
          )),
        )}
      </ul>
      <Divider />
      <Typography.Title level={5}>{t('explain.actionsTitle')}</Typography.Title>
      <ul className={styles.sentences} data-testid="explain-actions">
        {result.explanation.actions.map((a) => (
          <li key={a.action} className={`${styles.sentence} ${a.allowed ? '' : styles.sentenceDenied}`}>
            {a.allowed ? <CheckCircleFilled className={styles.sentenceIcon} style={{ color: '#17a34a' }} /> : <StopOutlined className={styles.sentenceIcon} style={{ color: '#b0b7c6' }} />}
            <span>{actionSentence(w, a)}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
