import { describe, expect, it } from 'vitest';
import { signInFailureOf } from './sign-in-error';

describe('the sign-in form names a lock or a rate limit (item 4)', () => {
  it('reads next-auth error codes', () => {
    expect(signInFailureOf('locked:300')).toEqual({ kind: 'locked', minutes: 5 });
    expect(signInFailureOf('rate_limited:61')).toEqual({ kind: 'rateLimited', minutes: 2 });
    expect(signInFailureOf('rate_limited:1')).toEqual({ kind: 'rateLimited', minutes: 1 });
    for (const other of ['CredentialsSignin', 'locked', 'locked:abc', '', null, undefined]) expect(signInFailureOf(other)).toEqual({ kind: 'wrong' });
  });
});
