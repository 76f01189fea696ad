'use client';
// Errors of signed-in pages keep the navigation around them.
export { default } from '../error';
