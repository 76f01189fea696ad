export { RecordForm, type RecordFormProps } from './record-form';
export { FieldControl } from './field-control';
export { FieldValue } from './field-value';
export { changedValues, initialFormValues, optionsOf } from './record-values';
export type { RecordFormMode, SubmitResult, UserOption } from './types';
