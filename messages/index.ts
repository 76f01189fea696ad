/**
 * UI strings, 简体中文 first. One JSON file per namespace and language,
 * imported statically so both languages are bundled and type-checked.
 *
 * To add a namespace: create messages/zh-CN/<ns>.json and messages/en/<ns>.json,
 * append its two import lines below and one line to `namespaces`.
 * (test/messages.test.ts checks both languages have the same keys.)
 */
import type { Locale } from '@/lib/i18n';

import common_zh from './zh-CN/common.json';
import common_en from './en/common.json';
import nav_zh from './zh-CN/nav.json';
import nav_en from './en/nav.json';
import auth_zh from './zh-CN/auth.json';
import auth_en from './en/auth.json';
import directory_zh from './zh-CN/directory.json';
import directory_en from './en/directory.json';
import tokens_zh from './zh-CN/tokens.json';
import tokens_en from './en/tokens.json';
import builder_zh from './zh-CN/builder.json';
import builder_en from './en/builder.json';
import records_zh from './zh-CN/records.json';
import records_en from './en/records.json';
import grants_zh from './zh-CN/grants.json';
import grants_en from './en/grants.json';
import access_zh from './zh-CN/access.json';
import access_en from './en/access.json';
import account_zh from './zh-CN/account.json';
import account_en from './en/account.json';
import keys_zh from './zh-CN/keys.json';
import keys_en from './en/keys.json';
import errors_zh from './zh-CN/errors.json';
import errors_en from './en/errors.json';
import validation_zh from './zh-CN/validation.json';
import validation_en from './en/validation.json';

/** namespace -> [简体中文, English] */
export const namespaces = {
  common: [common_zh, common_en],
  nav: [nav_zh, nav_en],
  auth: [auth_zh, auth_en],
  directory: [directory_zh, directory_en],
  tokens: [tokens_zh, tokens_en],
  builder: [builder_zh, builder_en],
  records: [records_zh, records_en],
  grants: [grants_zh, grants_en],
  access: [access_zh, access_en],
  account: [account_zh, account_en],
  keys: [keys_zh, keys_en],
  // lib/'s domain errors and the form validators, through msg() in lib/i18n.ts.
  errors: [errors_zh, errors_en],
  validation: [validation_zh, validation_en],
} as const;

type Namespaces = typeof namespaces;
/** The message tree, shaped like the zh-CN files (the reference language). */
export type AppMessages = { [K in keyof Namespaces]: Namespaces[K][0] };

function build(index: 0 | 1): AppMessages {
  return Object.fromEntries(Object.entries(namespaces).map(([ns, pair]) => [ns, pair[index]])) as AppMessages;
}

const byLocale: Record<Locale, AppMessages> = { 'zh-CN': build(0), en: build(1) };

export function messagesFor(locale: Locale): AppMessages {
  return byLocale[locale] ?? byLocale['zh-CN'];
}
