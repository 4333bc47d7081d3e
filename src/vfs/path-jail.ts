import { FsError } from './fs-error.js';
import { isInternalName } from './internal-names.js';

/** Options of {@link resolveVirtualPath}. */
export interface ResolveVirtualPathOptions {
  /** Longest accepted input and result, in UTF-16 code units. @default 4096 */
  readonly maxLength?: number | undefined;
  /** Longest accepted single component, in UTF-8 bytes (the common `NAME_MAX`). @default 255 */
  readonly maxComponentBytes?: number | undefined;
}

const DEFAULT_MAX_LENGTH = 4096;
const DEFAULT_MAX_COMPONENT_BYTES = 255;

// C0 controls, DEL and C1 controls: CR/LF would forge reply lines, NUL truncates names in C
// libraries, and none of them belongs in a file name a client should be able to create.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// A lone surrogate would be replaced by U+FFFD when encoded, so two different client names
// could collapse into one file.
const LONE_SURROGATE = /\p{Cs}/u;
// Components such as `...` or `.. ` are `.`/`..` in disguise on some platforms (Windows strips
// trailing dots and spaces); refusing them keeps every backend's view identical.
const DOTS_AND_SPACES = /^[. ]+$/u;

function validate(text: string, maxLength: number, what: string): void {
  if (text.length > maxLength) {
    throw new FsError('too-long', `${what} is longer than ${maxLength} characters`);
  }
  if (CONTROL.test(text)) throw new FsError('name-invalid', `${what} contains a control character`);
  if (LONE_SURROGATE.test(text)) throw new FsError('name-invalid', `${what} is not well-formed Unicode`);
}

function applyComponents(stack: string[], text: string, maxComponentBytes: number): void {
  for (const part of text.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      stack.pop();
      continue;
    }
    if (DOTS_AND_SPACES.test(part)) throw new FsError('name-invalid', 'A path component consists only of dots and spaces');
    if (isInternalName(part)) throw new FsError('name-invalid', 'A path component uses a reserved name');
    if (Buffer.byteLength(part, 'utf8') > maxComponentBytes) {
      throw new FsError('too-long', `A path component is longer than ${maxComponentBytes} bytes`);
    }
    stack.push(part);
  }
}

/**
 * The path jail: resolves a client-supplied `input` against the current directory `cwd` into a
 * normalised virtual absolute path that can never climb above `/`.
 *
 * Rules: `/` is the only separator; an input starting with it is absolute (relative to the
 * user's root, never the host's). A backslash is an ordinary character, as on POSIX storage
 * (RFC 959 leaves names to the server; pyftpdlib and vsftpd do the same): backends that cannot
 * store it refuse it themselves (`LocalFileSystem` on Windows). Empty and `.` components vanish; `..` removes the
 * previous component and is clamped at `/`. The result is `/` or `/a/b` (no trailing slash).
 *
 * Throws {@link FsError} `name-invalid` for control characters (including NUL, CR, LF),
 * lone surrogates, components made only of dots and spaces (other than `.`/`..`) and
 * ftpgrid's internal staging names; `too-long` when the input, the result or one component is
 * over the limits. `cwd` is validated the same way (it normally comes from this function).
 *
 * @example
 * ```ts
 * resolveVirtualPath('/pub', '../../etc/passwd'); // '/etc/passwd' (inside the user's root)
 * resolveVirtualPath('/pub', 'a/../b//c/');         // '/pub/b/c'
 * resolveVirtualPath('/pub', 'back\\slash.txt');     // '/pub/back\\slash.txt'
 * ```
 */
export function resolveVirtualPath(cwd: string, input: string, options: ResolveVirtualPathOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const maxComponentBytes = options.maxComponentBytes ?? DEFAULT_MAX_COMPONENT_BYTES;
  validate(input, maxLength, 'The path');
  const stack: string[] = [];
  if (!input.startsWith('/')) {
    validate(cwd, maxLength, 'The current directory');
    applyComponents(stack, cwd, maxComponentBytes);
  }
  applyComponents(stack, input, maxComponentBytes);
  const result = `/${stack.join('/')}`;
  if (result.length > maxLength) throw new FsError('too-long', `The resolved path is longer than ${maxLength} characters`);
  return result;
}

/**
 * Splits a normalised virtual path into its components (`'/'` gives `[]`).
 * Internal helper of the filesystems; callers pass paths produced by {@link resolveVirtualPath}.
 */
export function virtualComponents(path: string): string[] {
  // resolveVirtualPath('/', path) split again, without building and splitting the string.
  validate(path, DEFAULT_MAX_LENGTH, 'The path');
  const stack: string[] = [];
  applyComponents(stack, path, DEFAULT_MAX_COMPONENT_BYTES);
  let length = stack.length === 0 ? 1 : stack.length;
  for (const part of stack) length += part.length;
  if (length > DEFAULT_MAX_LENGTH) throw new FsError('too-long', `The resolved path is longer than ${DEFAULT_MAX_LENGTH} characters`);
  return stack;
}
