import type { RecordDTO, RecordPage } from '@/lib/records/dto';

/** Records as the pages hand them to client components: the RecordDTO itself (lib/records/dto.ts). */
export type RecordItem = RecordDTO;
export type RecordPageData = RecordPage;

export interface ListQuery {
  sort: string;
  order: 'asc' | 'desc';
  q: string;
}
