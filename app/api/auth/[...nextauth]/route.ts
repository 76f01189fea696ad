import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth/next-auth';

// Sign-in goes through the `auth.signIn` operation inside authOptions' credentials provider.
const handler = NextAuth(authOptions());
export { handler as GET, handler as POST };
