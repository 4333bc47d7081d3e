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
  while (i < input.length) {
    const b = input[i] ?? 0;
    if (b !== 0xff) {
      out.push(b);
      i++;
      continue;
    }
    if (i + 1 >= input.length) break; // a dangling IAC waits for more input
    const cmd = input[i + 1] ?? 0;
    if (cmd === 0xff) {
      out.push(0xff);
      i += 2;
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

function reference(input: Uint8Array, max: number): string[] {
  const data = telnetStrip(input);
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const lf = data.indexOf(0x0a, start);
    if (lf === -1) return out;
    let line = data.slice(start, lf);
    start = lf + 1;
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
  const data = fc.array(fc.oneof(alphabet, fc.integer({ min: 0, max: 255 })), { maxLength: 400 }).map((a) => Uint8Array.from(a));

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
});
