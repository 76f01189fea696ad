'use client';
/**
 * The runtime form: one form definition rendered for staff (create, edit,
 * view) and for the builder's preview. Fields in `x-order`; validation in the
 * browser by the same validator the server runs (formResolver), so both say
 * the same words; the server's field errors land under the same fields.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Controller, useForm, type FieldValues, type Resolver } from 'react-hook-form';
import { Alert, App, Button, Col, Descriptions, Form, Row, Space, Tag, Tooltip, type DescriptionsProps } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import { fieldsOf, type FieldInfo, type FormDefinition } from '@/lib/forms/definition';
import { formResolver } from '@/lib/forms/hookform-resolver';
import { toLocale, type Locale } from '@/lib/i18n';
import { FieldControl } from './field-control';
import { FieldValue } from './field-value';
import { initialFormValues, isWideField } from './record-values';
import type { RecordFormMode, SubmitResult, UserOption } from './types';
import styles from './record-form.module.css';
import { LockOutlined } from '../icons';
import { useUnsavedChangesGuard } from '../use-unsaved-changes-guard';

export interface RecordFormProps {
  definition: FormDefinition;
  initialValues?: Record<string, unknown>;
  mode: RecordFormMode;
  userOptions?: UserOption[];
  /** Receives the normalised, validated values (all fields). */
  onSubmit?: (values: Record<string, unknown>) => Promise<SubmitResult>;
  /** Field key -> message, e.g. from a server answer the page already has. */
  serverErrors?: Record<string, string>;
  onCancel?: () => void;
  submitLabel?: ReactNode;
  /** Owner of a new record when the form has an owner field (usually the current user). */
  defaultOwnerId?: string;
  /** Shares the compiled validator between renders of the same form version. */
  cacheKey?: string;
  /** Two columns on wide screens (default), or one (narrow places such as the builder). */
  columns?: 1 | 2;
  disabled?: boolean;
  /** Keeps the inputs usable (to copy from) but refuses to submit, e.g. after a conflict. */
  submitDisabled?: boolean;
  /** Shown on the left of the buttons. */
  footerExtra?: ReactNode;
  /** View mode: fields whose value arrived masked from the server (shown as the masked text). */
  maskedKeys?: readonly string[];
  /** View mode: something to show after a field's value (e.g. a reveal button). */
  valueExtras?: Record<string, ReactNode>;
}

export function RecordForm(props: RecordFormProps) {
  if (props.mode === 'view') return <RecordView {...props} />;
  return <RecordEditor {...props} />;
}

/** A label with the protection the field has (encrypted at rest). */
function FieldLabel({ field }: { field: FieldInfo }) {
  const t = useTranslations('records.form');
  return (
    <span className={styles.label}>
      {field.schema.title || field.key}
      {field.schema['x-encrypted'] && (
        <Tooltip title={t('encryptedHint')}>
          <LockOutlined className={styles.labelIcon} aria-label={t('encryptedHint')} />
        </Tooltip>
      )}
    </span>
  );
}

function safeResolver(def: FormDefinition, locale: Locale, message: string, cacheKey?: string): Resolver<FieldValues> {
  let inner: Resolver<FieldValues> | undefined;
  return async (values, context, options) => {
    try {
      inner ??= formResolver(def, locale, { cacheKey });
      return await inner(values, context, options);
    } catch {
      // Only a definition that does not compile gets here (a draft being edited in the builder).
      return { values: {}, errors: { root: { type: 'definition', message } } };
    }
  };
}

function RecordEditor({
  definition,
  initialValues,
  mode,
  userOptions = [],
  onSubmit,
  serverErrors,
  onCancel,
  submitLabel,
  defaultOwnerId,
  cacheKey,
  columns = 2,
  disabled,
  submitDisabled,
  footerExtra,
}: RecordFormProps) {
  const t = useTranslations('records.form');
  const locale = toLocale(useLocale());
  const { message } = App.useApp();
  const fields = useMemo(() => fieldsOf(definition), [definition]);
  const resolver = useMemo(
    () => safeResolver(definition, locale, t('definitionBroken'), cacheKey),
    [definition, locale, cacheKey, t],
  );
  const defaults = useMemo(
    () => initialFormValues(definition, initialValues, mode, defaultOwnerId),
    [definition, initialValues, mode, defaultOwnerId],
  );
  const {
    control,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting, isDirty, isSubmitSuccessful },
  } = useForm<FieldValues>({ resolver, defaultValues: defaults, mode: 'onTouched', reValidateMode: 'onChange' });
  const [formError, setFormError] = useState<{ message: string; details: string[] } | null>(null);

  const known = useMemo(() => new Set(fields.map((f) => f.key)), [fields]);

  const applyServerErrors = (fieldErrors: Record<string, string> | undefined, fallback?: string) => {
    const unplaced: string[] = [];
    let placed = 0;
    for (const [key, text] of Object.entries(fieldErrors ?? {})) {
      if (known.has(key)) {
        setError(key, { type: 'server', message: text }, { shouldFocus: placed === 0 });
        placed++;
      } else unplaced.push(text);
    }
    if (fallback && (placed === 0 || unplaced.length)) setFormError({ message: fallback, details: unplaced });
  };

  useEffect(() => {
    if (serverErrors && Object.keys(serverErrors).length) applyServerErrors(serverErrors);
    // Only when the page hands over new errors.
  }, [serverErrors]);

  // Leaving with unsaved input asks first (not in the builder's preview): tab close, links and 取消.
  const { confirmLeave } = useUnsavedChangesGuard(mode !== 'preview' && mode !== 'view' && isDirty && !isSubmitSuccessful);

  const submit = handleSubmit(
    async (values) => {
      setFormError(null);
      if (mode === 'preview') {
        message.success(t('previewValid'));
        return;
      }
      if (!onSubmit || submitDisabled) return;
      const result = await onSubmit(values);
      if (!result.ok && result.error) applyServerErrors(result.error.fields, result.error.message);
      if (!result.ok) throw new Error('not saved'); // keeps isSubmitSuccessful false
    },
    () => setFormError(null),
  );

  const rootError = errors.root?.message;

  return (
    <form
      noValidate
      onSubmit={(e) => {
        void submit(e).catch(() => undefined);
      }}
      className={styles.form}
      data-testid="record-form"
    >
      <Form layout="vertical" component={false} disabled={disabled} requiredMark>
        {fields.length === 0 && <div className={styles.noFields}>{t('noFields')}</div>}
        <Row gutter={24}>
          {fields.map((f) => {
            const error = errors[f.key]?.message;
            const span = columns === 1 || isWideField(f) ? 24 : 12;
            const inputId = `field-${f.key}`;
            return (
              <Col key={f.key} xs={24} md={span}>
                <Form.Item
                  label={<FieldLabel field={f} />}
                  htmlFor={inputId}
                  required={f.required}
                  validateStatus={error ? 'error' : undefined}
                  help={typeof error === 'string' ? error : undefined}
                  extra={f.schema.description || undefined}
                  className={styles.item}
                  data-field={f.key}
                >
                  <Controller
                    name={f.key}
                    control={control}
                    render={({ field }) => (
                      <FieldControl
                        field={f}
                        id={inputId}
                        value={field.value}
                        onChange={field.onChange}
                        onBlur={field.onBlur}
                        inputRef={field.ref}
                        disabled={disabled || isSubmitting}
                        userOptions={userOptions}
                        status={error ? 'error' : undefined}
                      />
                    )}
                  />
                </Form.Item>
              </Col>
            );
          })}
        </Row>
      </Form>

      {(formError || rootError) && (
        <Alert
          type="error"
          showIcon
          className={styles.formError}
          title={formError?.message ?? rootError}
          description={
            formError?.details.length ? (
              <ul className={styles.errorList}>
                {formError.details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}

      <div className={styles.footer}>
        <div className={styles.footerExtra}>{footerExtra}</div>
        <Space>
          {onCancel && (
            <Button onClick={() => confirmLeave(onCancel)} disabled={isSubmitting} data-testid="record-form-cancel">
              {t('cancel')}
            </Button>
          )}
          <Button type="primary" htmlType="submit" loading={isSubmitting} disabled={disabled || submitDisabled} data-testid="record-form-submit">
            {submitLabel ?? (mode === 'preview' ? t('previewSubmit') : mode === 'create' ? t('create') : t('save'))}
          </Button>
        </Space>
      </div>
    </form>
  );
}

/** Read-only: every field with its value, in the form's order. */
function RecordView({ definition, initialValues = {}, userOptions = [], columns = 2, maskedKeys = [], valueExtras = {} }: RecordFormProps) {
  const fields = useMemo(() => fieldsOf(definition), [definition]);
  const userNames = useMemo(() => new Map(userOptions.map((u) => [u.id, u.name])), [userOptions]);
  const t = useTranslations('records.form');
  if (fields.length === 0) return <div className={styles.noFields}>{t('noFields')}</div>;
  // Two columns; a wide field (long text, address, several choices) takes a row of its own,
  // and the item before it stretches so no row is left with a hole.
  const items: NonNullable<DescriptionsProps['items']> = [];
  let pos = 0;
  for (const f of fields) {
    const wide = columns === 2 && isWideField(f);
    if (wide && pos === 1) items[items.length - 1].span = 'filled';
    items.push({
      key: f.key,
      label: <FieldLabel field={f} />,
      // 'filled' rather than 2: on a phone the list has one column and a span of 2 would not fit.
      span: wide ? 'filled' : 1,
      children: maskedKeys.includes(f.key) ? (
        <span className={styles.masked}>
          <span data-testid={`masked-${f.key}`}>{String(initialValues[f.key] ?? '')}</span>
          <Tag variant="filled">{t('masked')}</Tag>
          {valueExtras[f.key]}
        </span>
      ) : (
        <FieldValue field={f} value={initialValues[f.key]} userNames={userNames} />
      ),
    });
    pos = wide ? 0 : (pos + 1) % columns;
  }
  if (pos === 1 && items.length) items[items.length - 1].span = 'filled';
  return (
    <Descriptions
      bordered
      size="middle"
      // One column on phones: two label/value pairs side by side do not fit 390 px.
      column={columns === 2 ? { xs: 1, sm: 1, md: 2 } : columns}
      className={styles.view}
      items={items}
    />
  );
}
