'use server';
import { serverAction } from '@/lib/next/server-action';
import { createForm, listFieldJobs, publishForm, saveFormDraft, setFormGrants } from '@/lib/forms/operations';
import { restoreRecord } from '@/lib/records/operations';
import { removeExampleData } from '@/lib/examples/operations';

export const createFormAction = serverAction(createForm);
export const saveFormDraftAction = serverAction(saveFormDraft);
export const publishFormAction = serverAction(publishForm);
export const fieldJobsAction = serverAction(listFieldJobs);
export const setFormGrantsAction = serverAction(setFormGrants);
export const restoreRecordAction = serverAction(restoreRecord);
export const removeExampleAction = serverAction(removeExampleData);
