'use server';
import { serverAction } from '@/lib/next/server-action';
import { explainAccess, exportAccessOverview } from '@/lib/access/operations';

export const explainAccessAction = serverAction(explainAccess);
export const exportAccessOverviewAction = serverAction(exportAccessOverview);
