'use server';
import { serverAction } from '@/lib/next/server-action';
import { rotateDataKey, rotateLookupKey } from '@/lib/crypto/operations';

export const rotateKeyAction = serverAction(rotateDataKey);
export const rotateLookupKeyAction = serverAction(rotateLookupKey);
