/**
 * react-hook-form resolver over the record validator, so the browser shows exactly the
 * messages the server would send back. (@hookform/resolvers/ajv is draft-07 only and would
 * bring its own messages.)
 */
import { toNestErrors, validateFieldsNatively } from '@hookform/resolvers';
import type { FieldError, FieldErrors, FieldValues, Resolver } from 'react-hook-form';
import type { Locale } from '@/lib/i18n';
import type { FormDefinition } from './definition';
import {
  FORM_ERROR_KEY,
  compileRecordValidator,
  getRecordValidator,
  normalizeValues,
  type RecordValidator,
} from './record-validator';

export interface FormResolverOptions {
  /** Share compiled validators across resolvers (e.g. `${formId}:${version}`); see getRecordValidator. */
  cacheKey?: string;
}

/**
 * `useForm({ resolver: formResolver(def, locale) })`. Compiles once per call (lazily, on the
 * first validation): create it in `useMemo` or pass `cacheKey`. Values are normalised first,
 * so keys the form does not know (ids, versions a caller put in defaultValues) are dropped
 * rather than reported; on success the submit handler receives the normalised values.
 * Form-level errors ('_') land on `errors.root`.
 */
export function formResolver(def: FormDefinition, locale: Locale, options: FormResolverOptions = {}): Resolver<FieldValues> {
  let validator: RecordValidator | undefined;
  const getValidator = () =>
    options.cacheKey !== undefined ? getRecordValidator(options.cacheKey, def) : (validator ??= compileRecordValidator(def));

  return async (values, _context, resolverOptions) => {
    const result = getValidator()(normalizeValues(def, values), locale);
    if (result.ok) {
      // Clears messages left on native inputs by an earlier failed run; toNestErrors sets them.
      if (resolverOptions.shouldUseNativeValidation) validateFieldsNatively({}, resolverOptions);
      return { values: result.values, errors: {} };
    }

    const errors: Record<string, FieldError> = {};
    for (const [key, message] of Object.entries(result.errors)) {
      errors[key === FORM_ERROR_KEY ? 'root' : key] = { type: 'validate', message };
    }
    return { values: {}, errors: toNestErrors(errors as FieldErrors, resolverOptions) };
  };
}
