import { describe, expect, it } from 'vitest';
import { sameOriginPath } from './redirect';
import { callbackPath } from '@/lib/next/redirect';

const ORIGIN = 'http://localhost:3000';

describe('after sign-in, only same-origin paths (open redirect, item 6)', () => {
  it.each([
    '/%09/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '/%5Cevil.example',
    '/%2F/evil.example',
    '/%0a/evil.example',
    '\\\\evil.example',
    '/.//evil.example',
    'https://evil.example/apps',
    'https:/\\evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://localhost:3001/apps',
    'http://localhost:3000@evil.example/',
    'https://localhost:3000/apps',
  ])('refuses %j', (value) => {
    const path = sameOriginPath(value, ORIGIN);
    expect(path).toBe('/apps');
    // Whatever a browser makes of the answer, it stays on our origin.
    expect(new URL(path, ORIGIN).origin).toBe(ORIGIN);
  });

  it.each([
    ['/apps/123?x=1#top', '/apps/123?x=1#top'],
    ['/admin/users', '/admin/users'],
    [`${ORIGIN}/settings/tokens`, '/settings/tokens'],
    ['apps', '/apps'],
    // Same scheme without slashes is relative, for browsers as for URL: still ours.
    ['http:evil.example', '/evil.example'],
  ])('keeps %j', (value, expected) => expect(sameOriginPath(value, ORIGIN)).toBe(expected));

  it('refuses what is not a string, and sign-in itself for the page (a loop)', () => {
    for (const v of [undefined, null, 42, ['//evil.example'], '']) expect(sameOriginPath(v, ORIGIN)).toBe('/apps');
    expect(callbackPath('/sign-in?callbackUrl=/apps')).toBe('/apps');
    expect(callbackPath(['/admin/forms', '/x'])).toBe('/admin/forms');
    expect(callbackPath(['/%09/evil.example'])).toBe('/apps');
  });
});
