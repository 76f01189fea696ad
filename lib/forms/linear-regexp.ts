/**
 * Admin-set `pattern`s run through RE2 (re2js, pure JavaScript, linear time), never through the
 * JavaScript engine's backtracking RegExp: a pattern such as `^(a+)+$` took 15 s on one
 * 28-character value, freezing the server for everyone (ReDoS). Pure: the browser's resolver
 * and the server compile patterns the same way, so both give the same verdict.
 */
import { RE2JS } from 're2js';

export type PatternProblem = 'unsupported' | 'invalid';

export class PatternError extends Error {
  constructor(
    readonly problem: PatternProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PatternError';
  }
}

/**
 * Backreferences cannot run in linear time. RE2 refuses `\1`, but re2js' translation of
 * JavaScript syntax turns the named form `\k<name>` into the literal `k<name>`, which would
 * silently change what the pattern means: refuse it before translating.
 */
function hasNamedBackreference(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    if (pattern[i + 1] === 'k') return true;
    i++; // skip the escaped character, so `\\k` (a backslash, then k) is not one
  }
  return false;
}

/**
 * JavaScript writes a script or category as `\p{Script=Han}` / `\p{sc=Han}` / `\p{gc=L}`; RE2
 * as `\p{Han}` / `\p{L}`. Chinese forms use `\p{Script=Han}`, so it is rewritten, not refused.
 */
function toRe2PropertyNames(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const rest = pattern.slice(i);
    const m = /^\\([pP])\{(?:Script|sc|General_Category|gc)=([A-Za-z_]+)\}/.exec(rest);
    if (m) {
      out += `\\${m[1]}{${m[2]}}`;
      i += m[0].length - 1;
    } else {
      out += c + (pattern[i + 1] ?? '');
      i++;
    }
  }
  return out;
}

/** What ajv needs of a compiled pattern (`test`), plus a stable key for its code cache. */
export interface LinearRegExp {
  test(s: string): boolean;
  toString(): string;
}

/**
 * Compiles a JavaScript-syntax pattern (as JSON Schema's `pattern` is written) to RE2, or throws
 * a PatternError: 'unsupported' for what JavaScript accepts but RE2 cannot run in linear time
 * (backreferences, lookahead, lookbehind), 'invalid' for what is not a regular expression at all.
 */
export function compileLinear(pattern: string): LinearRegExp {
  let jsValid = true;
  try {
    new RegExp(pattern, 'u');
  } catch {
    jsValid = false;
  }
  if (!jsValid) throw new PatternError('invalid', `Invalid regular expression: ${pattern}`);
  if (hasNamedBackreference(pattern)) throw new PatternError('unsupported', 'Backreferences are not supported');
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(toRe2PropertyNames(pattern)));
  } catch (e) {
    throw new PatternError('unsupported', e instanceof Error ? e.message : String(e));
  }
  const key = `re2:${pattern}`;
  return { test: (s: string) => re.test(s), toString: () => key };
}

/** ajv's `code.regExp` engine: `(pattern, flags) => { test }`, plus the name ajv's codegen wants. */
export const linearRegExpEngine = Object.assign((pattern: string) => compileLinear(pattern), { code: 'linearRegExp' });
