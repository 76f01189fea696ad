/** The policy core's public face (pure: no I/O; the editor imports it in the browser). */
export * from './vocabulary';
export * from './scope';
export * from './decide';
export * from './explain';
export * from './grant-check';
