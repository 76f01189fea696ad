import type { FormRule as Rule } from 'antd';

/**
 * The browser-side copy of the server's password policy (lib/auth/passwords.ts:
 * at least 8 characters, letters and digits). The server checks again.
 */
export const MIN_PASSWORD_LENGTH = 8;

export function passwordRules(messages: { required: string; tooShort: string; weak: string }): Rule[] {
  return [
    { required: true, message: messages.required },
    { min: MIN_PASSWORD_LENGTH, message: messages.tooShort },
    {
      validator: (_, value: string | undefined) =>
        !value || (/[A-Za-z]/.test(value) && /\d/.test(value)) ? Promise.resolve() : Promise.reject(new Error(messages.weak)),
    },
  ];
}

/** "Confirm password" must equal the field `field`. */
export function confirmRule(field: string, mismatch: string, required: string): Rule[] {
  return [
    { required: true, message: required },
    ({ getFieldValue }) => ({
      validator: (_, value: string | undefined) =>
        !value || value === getFieldValue(field) ? Promise.resolve() : Promise.reject(new Error(mismatch)),
    }),
  ];
}
