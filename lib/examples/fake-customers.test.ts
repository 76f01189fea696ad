import { describe, it, expect } from 'vitest';
import { isValidGrant } from '@/lib/policy';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import template from '@/schemas/templates/customer-management.json';
import {
  createRng,
  fakeAddress,
  fakeBankCard,
  fakeChineseName,
  fakeCompanyName,
  fakeCustomer,
  fakeEmail,
  fakeFollowUp,
  fakeIdCard,
  fakeMobile,
  generateCustomers,
} from './fake-customers';
import { idCardCheckDigit, luhnCheckDigit } from '@/lib/forms/cn-formats';

// Independent re-implementations, so a bug in the generator cannot vouch for itself.
function expectedIdCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * parseInt(first17.charAt(i), 10), 0);
  return '10X98765432'.charAt(sum % 11);
}

function passesLuhn(card: string): boolean {
  let sum = 0;
  const rev = card.split('').reverse();
  rev.forEach((ch, i) => {
    let d = parseInt(ch, 10);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  });
  return sum % 10 === 0;
}

function isValidDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const SAMPLES = 2000;

function sample<T>(fn: (rng: ReturnType<typeof createRng>) => T, seed = 42, n = SAMPLES): T[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => fn(rng));
}

describe('createRng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = sample((r) => r.next(), 7, 50);
    const b = sample((r) => r.next(), 7, 50);
    const c = sample((r) => r.next(), 8, 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('int stays within inclusive bounds and reaches both ends', () => {
    const values = sample((r) => r.int(3, 6));
    expect(new Set(values)).toEqual(new Set([3, 4, 5, 6]));
  });

  it('pick and chance behave', () => {
    const picks = new Set(sample((r) => r.pick(['a', 'b', 'c'])));
    expect(picks).toEqual(new Set(['a', 'b', 'c']));
    const hits = sample((r) => r.chance(0.3)).filter(Boolean).length;
    expect(hits / SAMPLES).toBeGreaterThan(0.25);
    expect(hits / SAMPLES).toBeLessThan(0.35);
    expect(() => createRng(1).pick([])).toThrow();
    expect(() => createRng(1).int(5, 4)).toThrow();
  });
});

describe('generateCustomers', () => {
  it('gives the same customers for the same seed and different ones for another seed', () => {
    const a = generateCustomers(50, 2024);
    expect(generateCustomers(50, 2024)).toEqual(a);
    expect(generateCustomers(50, 2025)).not.toEqual(a);
    expect(a).toHaveLength(50);
    // A prefix of a longer run is the same data: seeds and benches can grow the count safely.
    expect(generateCustomers(100, 2024).slice(0, 50)).toEqual(a);
  });

  it('produces mostly distinct customers', () => {
    const customers = generateCustomers(300, 1);
    expect(new Set(customers.map((c) => c.idNo)).size).toBe(300);
    expect(new Set(customers.map((c) => c.phone)).size).toBe(300);
  });

  it('weights levels VIP 10%, A 25%, B 40%, C 25%', () => {
    const customers = generateCustomers(10_000, 99);
    const share = (level: string) => customers.filter((c) => c.level === level).length / customers.length;
    expect(share('VIP')).toBeCloseTo(0.1, 1);
    expect(share('A')).toBeCloseTo(0.25, 1);
    expect(share('B')).toBeCloseTo(0.4, 1);
    expect(share('C')).toBeCloseTo(0.25, 1);
  });
});

describe('fakeIdCard', () => {
  const ids = sample(fakeIdCard);

  it('has 18 characters with a correct GB 11643-1999 check digit', () => {
    for (const id of ids) {
      expect(id).toMatch(/^\d{17}[\dX]$/);
      expect(id[17]).toBe(expectedIdCheck(id.slice(0, 17)));
    }
  });

  it('has a valid birth date between 1960 and 2003', () => {
    for (const id of ids) {
      const y = Number(id.slice(6, 10));
      const m = Number(id.slice(10, 12));
      const d = Number(id.slice(12, 14));
      expect(y).toBeGreaterThanOrEqual(1960);
      expect(y).toBeLessThanOrEqual(2003);
      expect(isValidDate(y, m, d), id).toBe(true);
    }
  });

  it('produces the X check digit sometimes', () => {
    expect(ids.some((id) => id.endsWith('X'))).toBe(true);
  });

  it('idCardCheckDigit matches known numbers and rejects bad input', () => {
    // The standard's published example.
    expect(idCardCheckDigit('11010519491231002')).toBe('X');
    expect(idCardCheckDigit('44030419900101123')).toBe(expectedIdCheck('44030419900101123'));
    expect(() => idCardCheckDigit('123')).toThrow();
  });
});

describe('fakeMobile', () => {
  it('matches the mainland mobile pattern', () => {
    for (const phone of sample(fakeMobile)) expect(phone).toMatch(/^1[3-9]\d{9}$/);
  });

  it('never uses unassigned prefixes', () => {
    for (const phone of sample(fakeMobile)) expect(['154', '174', '179', '194']).not.toContain(phone.slice(0, 3));
  });
});

describe('fakeBankCard', () => {
  it('is a 16-19 digit UnionPay number that passes Luhn', () => {
    for (const card of sample(fakeBankCard)) {
      expect(card).toMatch(/^62\d{14,17}$/);
      expect(passesLuhn(card), card).toBe(true);
    }
  });

  it('luhnCheckDigit agrees with a known card number', () => {
    // 4111 1111 1111 1111 is the classic Luhn-valid test number.
    expect(luhnCheckDigit('411111111111111')).toBe('1');
  });
});

describe('other fields', () => {
  it('names are 2-3 Chinese characters', () => {
    for (const name of sample(fakeChineseName)) expect(name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
  });

  it('company names look like 城市+字号+行业+有限公司', () => {
    for (const name of sample(fakeCompanyName)) expect(name).toMatch(/^[\u4e00-\u9fff]{6,}有限公司$/);
  });

  it('emails use reserved example domains only', () => {
    for (const email of sample(fakeEmail)) expect(email).toMatch(/^[a-z0-9.]+@example\.(com|net|org)$/);
  });

  it('addresses keep province and city consistent', () => {
    for (const address of sample(fakeAddress)) {
      expect(address).toMatch(/号/);
      if (address.startsWith('浙江省')) expect(address).toMatch(/^浙江省(杭州市|宁波市)/);
      if (address.startsWith('广东省')) expect(address).toMatch(/^广东省(广州市|深圳市)/);
      expect(address).not.toMatch(/^(杭州市|深圳市|南京市)/); // a province city never loses its province
      expect(address.length).toBeLessThanOrEqual(200);
    }
  });

  it('follow-ups start with a valid date', () => {
    for (const note of sample(fakeFollowUp)) {
      const m = /^(\d{4})-(\d{2})-(\d{2}) .+。$/.exec(note);
      expect(m, note).not.toBeNull();
      expect(isValidDate(Number(m![1]), Number(m![2]), Number(m![3]))).toBe(true);
    }
  });

  it('customer notes are in date order', () => {
    for (const c of sample(fakeCustomer, 5, 300)) {
      const lines = c.notes.split('\n');
      expect([...lines].sort()).toEqual(lines);
    }
  });
});

describe('customer-management template', () => {
  type Grant = { actions: Record<string, unknown> };
  type Dept = { name: string; children?: Dept[] };
  const form = template.forms[0];
  const schema = form.schema;

  it('lists every property key in x-order exactly once', () => {
    expect([...schema['x-order']].sort()).toEqual(Object.keys(schema.properties).sort());
    expect(new Set(schema['x-order']).size).toBe(schema['x-order'].length);
    expect(schema.type).toBe('object');
    expect(schema.title).toBe('客户');
    for (const key of schema.required) expect(schema['x-order']).toContain(key);
  });

  it('uses only allowed keywords, and every property has a title and a widget', () => {
    const allowed = new Set([
      'type', 'title', 'description', 'default', 'minLength', 'maxLength', 'pattern', 'minimum',
      'maximum', 'enum', 'items', 'uniqueItems', 'format', 'x-widget', 'x-encrypted', 'x-mask',
      'x-placeholder',
    ]);
    for (const [key, prop] of Object.entries(schema.properties)) {
      for (const kw of Object.keys(prop)) expect(allowed.has(kw), `${key}.${kw}`).toBe(true);
      expect(typeof prop.title, key).toBe('string');
      expect(typeof prop['x-widget'], key).toBe('string');
    }
  });

  it('references the form name in every group grant, and every grant is valid', () => {
    const formNames = new Set(template.forms.map((f) => f.name));
    for (const group of template.groups) {
      const grants = group.grants as Record<string, Grant>;
      expect(Object.keys(grants).length).toBeGreaterThan(0);
      for (const [formName, grant] of Object.entries(grants)) {
        expect(formNames.has(formName), `${group.name} -> ${formName}`).toBe(true);
        expect(isValidGrant(grant), `${group.name} grant`).toBe(true);
      }
    }
  });

  it("references existing departments and groups from every user, with unique emails", () => {
    const departments = new Set<string>();
    const walk = (list: Dept[]) => {
      for (const d of list) {
        departments.add(d.name);
        walk(d.children ?? []);
      }
    };
    walk(template.departments as Dept[]);
    const groups = new Set(template.groups.map((g) => g.name));
    for (const user of template.users) {
      expect(departments.has(user.department), user.email).toBe(true);
      for (const g of user.groups) expect(groups.has(g), `${user.email} -> ${g}`).toBe(true);
      expect(user.email).toMatch(/@example\.com$/);
    }
    expect(new Set(template.users.map((u) => u.email)).size).toBe(template.users.length);
    expect(groups.has(form.records.ownersFromGroup)).toBe(true);
  });

  it('is a valid JSON Schema 2020-12 that accepts generated customers', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    // Stand-ins for the formats lib/forms registers; enough to prove the data fits the schema.
    ajv.addFormat('cn-mobile', /^1[3-9]\d{9}$/);
    ajv.addFormat('cn-id-card', /^\d{17}[\dX]$/);
    ajv.addVocabulary(['x-order', 'x-widget', 'x-encrypted', 'x-mask', 'x-placeholder']);
    const validate = ajv.compile(schema);
    for (const customer of generateCustomers(300, 2024)) {
      const ok = validate({ ...customer, owner: 'sales1@example.com' });
      expect(ok, JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ name: 'x', contact: 'y', phone: '12345' })).toBe(false);
  });
});
