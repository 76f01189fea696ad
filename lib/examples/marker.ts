/** Where the example's footprint is kept: the ids of everything loading it created. */
export const EXAMPLE_SETTING = 'example';

export interface ExampleMarker {
  formId: string;
  userIds: string[];
  groupIds: string[];
  departmentIds: string[];
  loadedAt: string;
}
