'use server';
import { serverAction } from '@/lib/next/server-action';
import { rotateDataKey } from '@/lib/crypto/operations';

export const rotateKeyAction = serverAction(rotateDataKey);
