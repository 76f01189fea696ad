import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '@/messages';
import { locales, msg, type MessageKey } from './i18n';

type Tree = { [key: string]: string | Tree };

describe('msg', () => {
  it('says a key in the caller’s language', () => {
    expect(msg('zh-CN', 'errors.records.notFound')).toBe('记录不存在或无权访问');
    expect(msg('en', 'errors.records.notFound')).toBe('Record not found');
  });

  it('fills {name} arguments, numbers included, and leaves other text alone', () => {
    expect(msg('zh-CN', 'errors.http.tokenRateLimited', { minutes: 3 })).toBe('无效令牌尝试过多，请 3 分钟后再试');
    expect(msg('en', 'validation.definition.oneOwner', { count: 2, names: '“A”, “B”' })).toBe(
      'A form can have at most one owner field; it has 2: “A”, “B”',
    );
    // A param value is inserted as text, never read as a message.
    expect(msg('en', 'errors.forms.invalidDefinition', { reason: '{reason} and {other}' })).toBe('Invalid form definition: {reason} and {other}');
  });

  it('keeps an argument without a param visible', () => {
    expect(msg('en', 'errors.http.tokenRateLimited', {})).toBe('Too many invalid tokens. Try again in {minutes} min');
  });

  it('chooses ICU plural forms as next-intl does', () => {
    expect(msg('en', 'validation.record.minLength', { limit: 1 })).toBe('At least 1 character');
    expect(msg('en', 'validation.record.minLength', { limit: 5 })).toBe('At least 5 characters');
    expect(msg('zh-CN', 'validation.record.minLength', { limit: 1 })).toBe('至少需要 1 个字符');
  });

  it('answers an unknown key with the key, whatever a cast let through', () => {
    expect(msg('en', 'errors.nope' as MessageKey)).toBe('errors.nope');
    expect(msg('en', 'errors.records' as MessageKey)).toBe('errors.records');
    expect(msg('en', 'constructor.name' as MessageKey)).toBe('constructor.name');
  });
});

// ------------------------------------------------------------------ every key lib/ says exists in both languages

const root = path.resolve(__dirname, '..');
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
const stripComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
const libSources = walk(path.join(root, 'lib')).map((f) => stripComments(readFileSync(f, 'utf8')));
const all = (re: RegExp) => new Set(libSources.flatMap((s) => [...s.matchAll(re)].map((m) => m[1])));
/** 'errors.records.notFound' (lib's own namespaces), and any key given to msg() directly, e.g. 'builder.options.newOption'. */
const literalKeys = new Set([
  ...all(/['"`]((?:errors|validation)\.[\w.-]+)['"`]/g),
  ...all(/\bmsg\(\s*[\w.]+\s*,\s*['"]([\w.-]+)['"]/g),
]);
/** `errors.records.notAllowed.${action}`: the prefix must name a group of messages. */
const templatePrefixes = all(/`((?:errors|validation)\.[\w.-]+)\.\$\{/g);
/** MessageKeyUnder<'errors.directory'>: a type naming a group; its keys must be used one by one. */
const groups = all(/MessageKeyUnder<\s*['"]([\w.-]+)['"]\s*>/g);

const lookup = (tree: Tree, key: string) => key.split('.').reduce<string | Tree | undefined>((t, p) => (t && typeof t === 'object' && Object.hasOwn(t, p) ? t[p] : undefined), tree);
const leaves = (tree: Tree, prefix = ''): string[] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : leaves(v, `${prefix}${k}.`)));

describe('the keys lib/ uses', () => {
  it('finds them', () => {
    expect(literalKeys.size).toBeGreaterThan(100);
    expect([...templatePrefixes].sort()).toEqual(
      expect.arrayContaining(['errors.records.notAllowed', 'validation.kinds', 'validation.record.format', 'validation.settings']),
    );
  });

  for (const locale of locales) {
    it(`exist in ${locale}`, () => {
      const tree = messagesFor(locale) as unknown as Tree;
      expect([...literalKeys].filter((k) => !groups.has(k) && typeof lookup(tree, k) !== 'string')).toEqual([]);
      expect([...groups].filter((k) => typeof lookup(tree, k) !== 'object')).toEqual([]);
      expect([...templatePrefixes].filter((k) => typeof lookup(tree, k) !== 'object')).toEqual([]);
    });
  }

  it('are all the errors and validation messages: none is dead', () => {
    const tree = messagesFor('zh-CN') as unknown as Tree;
    const unused = ['errors', 'validation'].flatMap((ns) => leaves(tree[ns] as Tree, `${ns}.`)).filter(
      (k) => !literalKeys.has(k) && ![...templatePrefixes].some((p) => k.startsWith(`${p}.`)),
    );
    expect(unused).toEqual([]);
  });
});
