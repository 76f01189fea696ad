/**
 * next-auth wiring: email + password through the `auth.signIn` operation.
 * The JWT carries only the session secret (the database stores its hash);
 * every request checks that session in the database, so revoking it
 * (sign-out, disabling the user) takes effect at the next request.
 */
import 'server-only';
import type { AuthOptions, Session } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { env } from '@/lib/env';
import { authSecret } from '@/lib/secrets';
import { isAppError } from '@/lib/errors';
import { toLocale } from '@/lib/i18n';
import { sessionActive, signIn, signOut } from './operations';
import { clientIp } from './client-ip';
import { sameOriginPath } from './redirect';

declare module 'next-auth' {
  interface User {
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
            // next-auth passes a thrown Error's message to the form as `?error=`
            // (res.error with redirect: false): the form shows `locked` and
            // `rate_limited` in the user's language, with the minutes to wait.
            if (isAppError(e) && (e.code === 'locked' || e.code === 'rate_limited')) {
              throw new Error(`${e.code}:${Number(e.details?.retryAfter) || 60}`);
            }
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
      // Every getServerSession and /api/auth/session asks the database: a
      // revoked session (sign-out, disabled user, admin) answers no user,
      // although its JWT is still validly signed. The sid itself stays in the
      // httpOnly JWT: /api/auth/session is read by browser JavaScript, and a
      // script injected into a page must not learn a replayable session secret
      // (lib/next/caller.ts reads it from the cookie on the server).
      async session({ session, token }) {
        if (!token.sid) return {} as Session;
        const { active } = await sessionActive({ credential: { type: 'session', sessionId: token.sid }, ip: '', locale: 'zh-CN' }, {});
        if (!active) return {} as Session;
        return session;
      },
      // Only same-origin destinations (lib/auth/redirect.ts: open redirect).
      redirect({ url, baseUrl }) {
        return new URL(sameOriginPath(url, baseUrl, '/'), baseUrl).href;
      },
    },
    events: {
      // next-auth's own sign-out (POST /api/auth/signout) ends the session on the server too.
      async signOut({ token }) {
        const sid = (token as { sid?: string } | null)?.sid;
        if (!sid) return;
        await signOut({ credential: { type: 'session', sessionId: sid }, ip: '', locale: 'zh-CN' }, {}).catch(() => undefined);
      },
    },
  });
}
