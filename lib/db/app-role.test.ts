import { describe, expect, it } from 'vitest';
import { APP_ROLE, connectionRoleProblem } from './app-role';

describe('connections row-level security cannot bind', () => {
  it('names a superuser and a BYPASSRLS role, and what to do instead', () => {
    const su = connectionRoleProblem({ name: 'postgres', superuser: true, bypassRls: false });
    expect(su).toMatch(/"postgres", which is a superuser/);
    expect(su).toContain(`grant ${APP_ROLE} to formwarden`);
    expect(su).toContain('docs/operations.md');
    expect(connectionRoleProblem({ name: 'etl', superuser: false, bypassRls: true })).toMatch(/"etl", which is a role with BYPASSRLS/);
  });

  it('accepts an ordinary role', () => {
    expect(connectionRoleProblem({ name: 'formwarden', superuser: false, bypassRls: false })).toBeUndefined();
  });
});
