import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { effectiveMaskRule, FULL_MASK, graphemes, isCustomMask, MASK_RULES, maskValue, type CustomMask, type MaskSpec } from './rules';

/** One row: the value as stored, what a masked reader sees. */
type Row = [value: unknown, masked: string];

/** Values every rule must treat alike: nothing there, nothing shown. */
const EMPTY: Row[] = [
  ['', ''],
  ['   ', ''],
  ['\t\n', ''],
  [null, ''],
  [undefined, ''],
  [[], ''],
];

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'; // 👨‍👩‍👧, one grapheme of 5 code points
const LONG_DIGITS = '1'.repeat(40);
const LONG_TEXT = 'A'.repeat(100);

function table(rule: MaskSpec, rows: Row[]) {
  it.each([...EMPTY, ...rows])('%j → %j', (value, masked) => {
    expect(maskValue(value, rule)).toBe(masked);
  });
}

describe('phone', () => {
  table('phone', [
    // Mainland mobile numbers: network prefix and the last four.
    ['13812345678', '138****5678'],
    ['  13812345678  ', '138****5678'],
    ['138 1234 5678', '138****5678'],
    ['138-1234-5678', '138****5678'],
    ['+86 138 1234 5678', '+86 138****5678'],
    ['+8613812345678', '+86 138****5678'],
    ['8613812345678', '+86 138****5678'],
    ['0086 138 1234 5678', '+86 138****5678'],
    [13812345678, '138****5678'],
    // Other countries: at least half of the digits hidden, separators kept.
    ['+1 415 555 0132', '+1 4** *** *132'],
    ['+44 20 7946 0958', '+44 2* **** *958'],
    ['(020) 7946-0958', '(02*) ****-*958'],
    ['12345678901', '12******901'],
    [LONG_DIGITS, '111' + '*'.repeat(33) + '1111'],
    // Short numbers: four digits or fewer are all hidden.
    ['1', '*'],
    ['12', '**'],
    ['123', '***'],
    ['1234', '****'],
    ['12345', '1***5'],
    ['123456', '1***56'],
    // Not a phone number: nothing shows.
    ['138abc5678', FULL_MASK],
    ['+-()', FULL_MASK],
    [`${FAMILY} 张三`, FULL_MASK],
    ['张San', FULL_MASK],
    ['１３８１２３４５６７８', FULL_MASK],
    [true, FULL_MASK],
  ]);
});

describe('id-card', () => {
  table('id-card', [
    // 18 digits: region code and the last four, the birth date hidden.
    ['110105199003071234', '110105********1234'],
    ['11010519900307123X', '110105********123X'],
    ['11010519900307123x', '110105********123x'],
    ['110105 19900307 1234', '110105********1234'],
    // The old 15-digit form: region, then yymmdd hidden, the sequence kept.
    ['110105900307123', '110105******123'],
    [110105900307123, '110105******123'],
    // Anything else: at least the middle half hidden.
    ['E12345678', 'E1*****78'],
    ['A123456(7)', 'A1*****(7)'],
    ['1', '*'],
    ['12', '*2'],
    ['123', '**3'],
    ['1234', '1**4'],
    ['张三', '*三'],
    [`${FAMILY}张三李`, `${FAMILY}**李`],
    [LONG_TEXT, 'A'.repeat(6) + '*'.repeat(90) + 'A'.repeat(4)],
  ]);
});

describe('bank-card', () => {
  table('bank-card', [
    // 16 digits or more: BIN and last four.
    ['6222021234567890123', '622202*********0123'],
    ['6222 0212 3456 7890 123', '6222 02** **** ***0 123'],
    ['6222-0212-3456-7890', '6222-02**-****-7890'],
    [6222021234567890, '622202******7890'],
    // Fewer: the BIN would leave under six digits hidden, so only the last four, then nothing.
    ['622202123456789', '***********6789'],
    ['622202123456', '********3456'],
    ['6222021234', '******1234'],
    ['622202123', '*********'],
    ['1', '*'],
    ['12', '**'],
    ['123', '***'],
    // Not a card number.
    ['6222 0212 abcd', FULL_MASK],
    ['张San', FULL_MASK],
    [`${FAMILY} 6222021234567890`, FULL_MASK],
    ['--', FULL_MASK],
  ]);
});

describe('email', () => {
  table('email', [
    // The first character and three stars, whatever the local part's length.
    ['zhang.san@example.com', 'z***@example.com'],
    ['zs@example.com', 'z***@example.com'],
    ['  Zhang.San@Example.com ', 'Z***@Example.com'],
    ['张三@例子.中国', '张***@例子.中国'],
    [`${FAMILY}x@example.com`, `${FAMILY}***@example.com`],
    // One character: it would be the whole local part.
    ['z@example.com', '***@example.com'],
    // Not an email address: nothing shows.
    ['zhang', FULL_MASK],
    ['z', FULL_MASK],
    ['zs', FULL_MASK],
    ['zhang@localhost', FULL_MASK],
    ['@example.com', FULL_MASK],
    ['zhang@@example.com', FULL_MASK],
    ['zhang san@example.com', FULL_MASK],
    ['zhang@example..com', FULL_MASK],
    ['张San', FULL_MASK],
    [12345, FULL_MASK],
  ]);
});

describe('name', () => {
  table('name', [
    // Chinese names: the surname, one star per hidden character.
    ['张三', '张*'],
    ['张三丰', '张**'],
    ['  张三  ', '张*'],
    ['欧阳娜娜', '欧阳**'],
    ['欧阳娜', '欧阳*'],
    ['司马光', '司马*'],
    // A compound surname alone would be shown whole: keep one character.
    ['欧阳', '欧*'],
    ['阿卜杜拉·买买提', '阿*******'],
    ['张', '*'],
    // Other scripts and mixed: the first character and three stars.
    ['John Smith', 'J***'],
    ['Mary Ann Lee-Smith', 'M***'],
    ['Al', 'A***'],
    ['J', '*'],
    ['张San', '张***'],
    ['张 三', '张***'],
    [`${FAMILY} 张三`, `${FAMILY}***`],
    [`${FAMILY}`, '*'],
    [LONG_TEXT, 'A***'],
    [42, '4***'],
  ]);
});

describe('address', () => {
  table('address', [
    // Province and city.
    ['广东省深圳市南山区科技园路1号', '广东省深圳市******'],
    ['广东深圳市南山区', '广东深圳市******'],
    ['中国广东省深圳市南山区', '中国广东省深圳市******'],
    ['黑龙江省哈尔滨市道里区', '黑龙江省哈尔滨市******'],
    ['新疆维吾尔自治区伊犁哈萨克自治州伊宁市', '新疆维吾尔自治区伊犁哈萨克自治州******'],
    ['内蒙古自治区锡林郭勒盟锡林浩特市', '内蒙古自治区锡林郭勒盟******'],
    ['内蒙古呼和浩特市新城区', '内蒙古呼和浩特市******'],
    ['西藏自治区阿里地区噶尔县', '西藏自治区阿里地区******'],
    ['吉林省延边朝鲜族自治州延吉市', '吉林省延边朝鲜族自治州******'],
    // A municipality or SAR is province and city at once: the district is hidden.
    ['北京市朝阳区建国路88号', '北京市******'],
    ['北京朝阳区建国路88号', '北京******'],
    ['上海市浦东新区', '上海市******'],
    ['香港特别行政区九龙弥敦道1号', '香港特别行政区******'],
    // A province without a city we recognise keeps the province; a city without a province the city.
    ['广东深圳南山区', '广东******'],
    ['深圳市南山区科技园', '深圳市******'],
    // Nothing more than province and city: one level less, something stays hidden.
    ['广东省深圳市', '广东省******'],
    ['北京市', FULL_MASK],
    ['广东省', FULL_MASK],
    ['中国', FULL_MASK],
    ['科技园路1号', FULL_MASK],
    ['张San', FULL_MASK],
    [`${FAMILY} 张三`, FULL_MASK],
    // Elsewhere: the last comma-separated part when it has no digits and is short.
    ['1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA', '******, USA'],
    ['221B Baker Street, London', '******, London'],
    ['221B Baker Street', FULL_MASK],
    ['10 Downing St, SW1A 2AA', FULL_MASK],
    ['Flat 1, A very long district name indeed', FULL_MASK],
    ['a', FULL_MASK],
    [LONG_TEXT, FULL_MASK],
  ]);
});

describe('all, none and no rule', () => {
  for (const rule of ['all', 'none', undefined] as const) {
    describe(String(rule), () => {
      table(rule as MaskSpec, [
        ['13812345678', FULL_MASK],
        ['a', FULL_MASK],
        ['张三', FULL_MASK],
        [`${FAMILY}`, FULL_MASK],
        [LONG_TEXT, FULL_MASK],
        [0, FULL_MASK],
        [false, FULL_MASK],
        [{ a: 1 }, FULL_MASK],
      ]);
    });
  }

  it('masks a rule it does not know, or an invalid custom one, as all: it fails closed', () => {
    for (const rule of ['half', '__proto__', 'constructor', '', { keepStart: 3, keepEnd: 4, char: 'x' }, { keepStart: 30, keepEnd: 4, char: '*' }, { keepStart: 3, keepEnd: 4 }, null, 7]) {
      expect(maskValue('13812345678', rule as MaskSpec), JSON.stringify(rule)).toBe(FULL_MASK);
    }
  });
});

describe('effectiveMaskRule', () => {
  it('gives all for a masked field without a rule, and the field its own rule otherwise', () => {
    const custom: CustomMask = { keepStart: 1, keepEnd: 2, char: '#' };
    expect(effectiveMaskRule(undefined)).toBe('all');
    expect(effectiveMaskRule('none')).toBe('all');
    expect(effectiveMaskRule('half')).toBe('all');
    expect(effectiveMaskRule({ keepStart: 1, keepEnd: 2, char: '#', extra: true })).toBe('all');
    expect(effectiveMaskRule(custom)).toBe(custom);
    for (const rule of MASK_RULES.filter((r) => r !== 'none')) expect(effectiveMaskRule(rule)).toBe(rule);
  });
});

describe('custom', () => {
  const rule = (keepStart: number, keepEnd: number, char = '*', length?: number): CustomMask =>
    length === undefined ? { keepStart, keepEnd, char } : { keepStart, keepEnd, char, length };

  describe('keep 3 + 4 with *', () => {
    table(rule(3, 4), [
      ['13812345678', '138****5678'],
      [13812345678, '138****5678'],
      ['abcdefgh', 'abc*efgh'],
      // Keeping 7 of 7 or fewer would show everything: at most half shows, in proportion.
      ['abcdefg', 'a****fg'],
      ['abc', '**c'],
      ['ab', '*b'],
      ['a', '*'],
      [`${FAMILY}张三李四王五😀`, `${FAMILY}张三*四王五😀`],
      [LONG_TEXT, 'AAA' + '*'.repeat(93) + 'AAAA'],
    ]);
  });

  describe('keep 3 + 4 with a fixed length of 2 and ●', () => {
    table(rule(3, 4, '●', 2), [
      ['13812345678', '138●●5678'],
      ['1381234567890123', '138●●0123'],
      [LONG_TEXT, 'AAA●●AAAA'],
      ['abc', '●●c'],
      ['a', '●●'],
    ]);
  });

  describe('keep nothing', () => {
    table(rule(0, 0, '#'), [
      ['abc', '###'],
      ['a', '#'],
      ['张San', '####'],
    ]);
  });

  describe('keep the last four only', () => {
    table(rule(0, 4), [
      ['6222021234567890', '************7890'],
      ['12345', '*2345'],
      ['1234', '**34'],
      ['张三', '*三'],
    ]);
  });

  describe('keep the first two only, on emoji and mixed scripts', () => {
    table(rule(2, 0, '×'), [
      [`${FAMILY}张San`, `${FAMILY}张×××`],
      ['张San', '张S××'],
      ['ab', 'a×'],
    ]);
  });

  describe('keep 20 + 20, the most allowed', () => {
    table(rule(20, 20), [[LONG_TEXT, 'A'.repeat(20) + '*'.repeat(60) + 'A'.repeat(20)]]);
  });

  it('accepts only what the meta-schema accepts', () => {
    expect(isCustomMask(rule(0, 20, '😀', 32))).toBe(true);
    expect(isCustomMask({ keepStart: 0, keepEnd: 0, char: '*', length: undefined })).toBe(false);
    expect(isCustomMask([0, 0, '*'])).toBe(false);
  });
});

describe('arrays', () => {
  it('masks each item and joins the non-empty ones', () => {
    expect(maskValue(['13812345678', '', null, '13987654321'], 'phone')).toBe('138****5678, 139****4321');
    expect(maskValue(['VIP', 'A'], 'all')).toBe(`${FULL_MASK}, ${FULL_MASK}`);
    expect(maskValue(['张三', ['欧阳娜娜']], 'name')).toBe('张*, 欧阳**');
  });
});

// ---------------------------------------------------------------------------
// Properties

const SEED = 20261201;
const RUNS = 1500;

/** Pieces that steer generated values into every rule's branches, not only its fallback. */
const TOKENS = [
  '138', '1234', '5678', '+86 ', '+1 ', '86', '0086', '-', ' ', '(', ')', '@', '.', 'example.com', ',', '，',
  '110105', '19900307', 'X', '6222', '张', '三', '欧阳', '娜', '广东省', '深圳市', '北京市', '新疆维吾尔自治区',
  '自治州', '盟', '地区', '中国', 'San', 'John', FAMILY, '😀', '\u0301', 'é', '·',
];
const piece = fc.oneof(
  { arbitrary: fc.constantFrom(...TOKENS), weight: 3 },
  { arbitrary: fc.stringMatching(/^\d{1,6}$/), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 4 }), weight: 1 },
);
const customRule = fc.record(
  {
    keepStart: fc.integer({ min: 0, max: 20 }),
    keepEnd: fc.integer({ min: 0, max: 20 }),
    char: fc.constantFrom('*', '#', '●', '×', '-', '.', '😀'),
    length: fc.integer({ min: 1, max: 32 }),
  },
  { requiredKeys: ['keepStart', 'keepEnd', 'char'] },
);

/**
 * Values for `rule`, without its mask characters: a value made of stars can look like its own
 * mask ("**" is inside "******") without anything being shown. Short ones often (a value that is
 * only a province, or only three digits, is where a rule can keep too much).
 */
const valueFor = (rule: MaskSpec) =>
  fc.array(piece, { minLength: 1, maxLength: 12, size: 'small' }).map((pieces) => {
    const char = typeof rule === 'object' ? rule.char : '*';
    return pieces.join('').split('*').join('').split(char).join('');
  });
/** Every named rule and random custom ones, each with values of its own. */
const CASES: { name: string; pair: fc.Arbitrary<{ value: string; rule: MaskSpec }> }[] = [
  ...MASK_RULES.map((rule) => ({ name: rule, pair: valueFor(rule).map((value) => ({ value, rule: rule as MaskSpec })) })),
  { name: 'custom', pair: customRule.chain((rule) => valueFor(rule).map((value) => ({ value, rule: rule as MaskSpec }))) },
];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('properties (fast-check, fixed seed)', () => {
  for (const { name, pair } of CASES) {
    it(`${name}: never shows the whole value of two or more characters`, () => {
      fc.assert(
        fc.property(pair, ({ value, rule }) => {
          const plain = value.trim();
          fc.pre(plain.length >= 2);
          const masked = maskValue(value, rule);
          expect(masked).not.toBe('');
          expect(masked.includes(plain)).toBe(false);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it(`${name}: never splits a surrogate pair or a grapheme`, () => {
      fc.assert(
        fc.property(pair, ({ value, rule }) => {
          const masked = maskValue(value, rule);
          expect(LONE_SURROGATE.test(masked)).toBe(false);
          // Every grapheme of the output is a grapheme of the value, a mask character, or a
          // separator the rule writes itself: nothing cut in half.
          const own = new Set([...graphemes(value.trim()), '*', ' ', ',', '+', '8', '6']);
          if (typeof rule === 'object') own.add(rule.char);
          for (const g of graphemes(masked)) expect(own.has(g), `${JSON.stringify(g)} in ${JSON.stringify(masked)}`).toBe(true);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('hides the true length where the rule says so', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), customRule, (hidden, rule) => {
        fc.pre(rule.length !== undefined && !hidden.includes(rule.char) && hidden.trim() === hidden && hidden !== '');
        // A value long enough to keep what the rule asks: the output does not depend on the middle.
        const value = 'a'.repeat(rule.keepStart) + hidden + 'b'.repeat(rule.keepEnd);
        expect(maskValue(value, rule)).toBe('a'.repeat(rule.keepStart) + rule.char.repeat(rule.length!) + 'b'.repeat(rule.keepEnd));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,30}$/), (local) => {
        expect(maskValue(`z${local}@example.com`, 'email')).toBe('z***@example.com');
        expect(maskValue(`广东省深圳市${local}`, 'address')).toBe('广东省深圳市******');
        expect(maskValue(local, 'all')).toBe(FULL_MASK);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
