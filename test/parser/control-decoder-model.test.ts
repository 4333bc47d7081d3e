import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ControlDecoder, type DecodedItem } from '../../src/parser/index.js';

/**
 * A deliberately different, whole-buffer implementation of the decoder's documented rules,
 * so the streaming state machine is checked against the specification rather than itself.
 */
function telnetStrip(input: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  // After IAC IP, one bare DM (its IAC sent out of band) is dropped.
  let afterIp = false;
  while (i < input.length) {
    const b = input[i] ?? 0;
    if (b !== 0xff) {
      if (!(afterIp && b === 0xf2)) out.push(b);
      afterIp = false;
      i++;
      continue;
    }
    if (i + 1 >= input.length) break; // a dangling IAC waits for more input
    const cmd = input[i + 1] ?? 0;
    afterIp = cmd === 0xf4;
    if (cmd === 0xff) {
      out.push(0xff);
      i += 2;
    } else if (cmd < 0xf0) {
      // not a Telnet command (its IAC lost its partner, e.g. an urgent DM taken out of band): data
      i += 1;
    } else if (cmd >= 0xfb && cmd <= 0xfe) {
      i += 3;
    } else if (cmd === 0xfa) {
      // subnegotiation: up to IAC SE, or up to (and keeping) the next LF
      let j = i + 2;
      for (;;) {
        if (j >= input.length) return out;
        const x = input[j] ?? 0;
        if (x === 0x0a) {
          break;
        }
        if (x === 0xff) {
          if (j + 1 >= input.length) return out;
          if (input[j + 1] === 0x0a) {
            j += 1;
            break;
          }
          if (input[j + 1] === 0xf0) {
            j += 2;
            break;
          }
          j += 2;
          continue;
        }
        j++;
      }
      i = j;
    } else {
      i += 2;
    }
  }
  return out;
}

/** Where the line starting at `start` ends: its LF, or the CR of a line that is exactly ABOR. */
function lineEnd(data: number[], start: number): { end: number; next: number } | undefined {
  const abor = String.fromCharCode(...data.slice(start, start + 4)).toUpperCase() === 'ABOR' && data[start + 4] === 0x0d;
  if (abor) {
    const after = data[start + 5];
    if (after === undefined) return { end: start + 4, next: start + 5 };
    return { end: start + 4, next: after === 0x0a || after === 0x00 ? start + 6 : start + 5 };
  }
  const lf = data.indexOf(0x0a, start);
  return lf === -1 ? undefined : { end: lf, next: lf + 1 };
}

function reference(input: Uint8Array, max: number): string[] {
  const data = telnetStrip(input);
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const found = lineEnd(data, start);
    if (found === undefined) {
      // An unfinished line is reported as soon as it overflows (a trailing CR is still pending).
      const held = data.length - start - (data[data.length - 1] === 0x0d ? 1 : 0);
      if (held > max) out.push('!too-long');
      return out;
    }
    let line = data.slice(start, found.end);
    start = found.next;
    if (line[line.length - 1] === 0x0d) line = line.slice(0, -1);
    if (line.length > max) {
      out.push('!too-long');
      continue;
    }
    const cr = line.indexOf(0x0d);
    const nul = line.indexOf(0x00);
    if (cr !== -1 && (nul === -1 || cr < nul)) out.push('!bare-cr');
    else if (nul !== -1) out.push('!nul');
    else {
      try {
        out.push(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(line)));
      } catch {
        out.push('!invalid-utf8');
      }
    }
  }
}

const show = (items: DecodedItem[]): string[] => items.map((i) => (i.kind === 'line' ? i.line : `!${i.code}`));

describe('ControlDecoder against a reference model', () => {
  const alphabet = fc.constantFrom(0x0d, 0x0a, 0xff, 0x00, 0xf4, 0xf2, 0xfa, 0xf0, 0xfb, 0xfd, 0x20, 0x41, 0x42, 0xc3, 0xa9, 0x80, 0xe2);
  const abor = fc.constantFrom('ABOR\r', 'abor\r\n', 'ABOR\r\0', '\nABOR\r', 'ABOR\rNOOP').map((text) => [...Buffer.from(text, 'latin1')]);
  const data = fc
    .array(fc.oneof(alphabet.map((b) => [b]), fc.integer({ min: 0, max: 255 }).map((b) => [b]), abor), { maxLength: 300 })
    .map((parts) => Uint8Array.from(parts.flat()));

  it('emits exactly the items the rules define (property)', () => {
    fc.assert(
      fc.property(data, fc.integer({ min: 16, max: 40 }), fc.nat(), (bytes, max, cut) => {
        const decoder = new ControlDecoder({ maxLineLength: max });
        const at = cut % (bytes.length + 1);
        const items = [...decoder.push(bytes.subarray(0, at)), ...decoder.push(bytes.subarray(at))];
        expect(show(items)).toEqual(reference(bytes, max));
      }),
      { numRuns: 1000 },
    );
  });

  it('appends to the array given to push, after what it holds, the same items (property)', () => {
    fc.assert(
      fc.property(data, fc.integer({ min: 16, max: 40 }), fc.nat(), (bytes, max, cut) => {
        const decoder = new ControlDecoder({ maxLineLength: max });
        const at = cut % (bytes.length + 1);
        const queue: DecodedItem[] = [{ kind: 'line', line: 'held' }];
        expect(decoder.push(bytes.subarray(0, at), queue)).toBe(queue);
        decoder.push(bytes.subarray(at), queue);
        expect(show(queue)).toEqual(['held', ...reference(bytes, max)]);
      }),
      { numRuns: 500 },
    );
  });
});
