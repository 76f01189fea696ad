/**
 * next-auth wiring: email + password through the `auth.signIn` operation.
 * The JWT carries only the server-side session id; every request checks that
 * session in the database, so revoking it (sign-out, disabling the user)
 * takes effect at the next request.
 */
import 'server-only';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { env } from '@/lib/env';
import { authSecret } from '@/lib/secrets';
import { isAppError } from '@/lib/errors';
import { toLocale } from '@/lib/i18n';
import { signIn } from './operations';
import { clientIp } from './client-ip';

declare module 'next-auth' {
  interface User {
    sid?: string;
  }
  interface Session {
    sid?: string;
  }
}
declare module 'next-auth/jwt' {
  interface JWT {
    sid?: string;
  }
}

let options: AuthOptions | undefined;

/** Built once per process: every page asks for it, and the secret comes from disk. */
export function authOptions(): AuthOptions {
  // next-auth builds its own URLs from NEXTAUTH_URL; without it they point at
  // port 3000 whatever port we serve on.
  process.env.NEXTAUTH_URL ??= env().appUrl;
  return (options ??= {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: env().sessionMaxAge },
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        name: 'Formwarden',
        credentials: { email: { type: 'email' }, password: { type: 'password' } },
        async authorize(credentials, req) {
          const headers = new Headers(req?.headers as Record<string, string> | undefined);
          try {
            const s = await signIn(
              {
                credential: { type: 'anonymous' },
                ip: clientIp(headers),
                userAgent: headers.get('user-agent') ?? undefined,
                locale: toLocale(headers.get('accept-language')),
              },
              { email: String(credentials?.email ?? ''), password: String(credentials?.password ?? '') },
            );
            return { id: s.userId, email: s.email, name: s.name, sid: s.sessionId };
          } catch (e) {
            if (isAppError(e)) return null;
            throw e;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user?.sid) token.sid = user.sid;
        return token;
      },
      session({ session, token }) {
        session.sid = token.sid;
        return session;
      },
    },
  });
}
