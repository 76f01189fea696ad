/**
 * Deterministic generator of realistic but fake customers for the 客户管理 template, seeds,
 * tests and benchmarks. Test data is always generated, never copied from real people: a
 * leaked fixture must not be anyone's personal information.
 *
 * Pure TypeScript with no Node-only APIs and no dependencies, so it runs in the browser,
 * in the CLI and in tests alike. Same seed, same output. Check digits come from the same
 * code that validates them (lib/forms/cn-formats), so generated numbers always pass.
 */
import { idCardCheckDigit, luhnCheckDigit } from '@/lib/forms/cn-formats';

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(arr: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

export interface FakeCustomer {
  name: string;
  contact: string;
  phone: string;
  idNo: string;
  email: string;
  address: string;
  level: CustomerLevel;
  notes: string;
}

export type CustomerLevel = 'VIP' | 'A' | 'B' | 'C';

/** mulberry32: tiny, fast, good enough for fake data; not for anything secret. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`invalid range [${min}, ${max}]`);
      }
      return min + Math.floor(next() * (max - min + 1));
    },
    pick(arr) {
      if (arr.length === 0) throw new RangeError('pick from an empty array');
      return arr[Math.floor(next() * arr.length)];
    },
    chance(p) {
      return next() < p;
    },
  };
}

function digits(rng: Rng, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(rng.int(0, 9));
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// ---------------------------------------------------------------------------
// Names

const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡',
  '郭', '何', '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹',
  '彭', '曾', '肖', '田', '董', '袁', '潘', '于', '蒋', '蔡', '余', '杜', '叶', '程', '苏',
  '魏', '吕', '丁', '任', '沈',
] as const;

const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方'] as const;

const GIVEN_CHARS = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛',
  '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华', '玉', '萍', '红', '鹏', '辉', '建',
  '文', '婷', '宇', '浩', '凯', '佳', '欣', '雪', '晨', '思', '梓', '涵', '子', '轩', '雨',
  '嘉', '俊', '博', '琳', '志', '海', '晓', '慧', '倩', '峰', '斌', '颖', '瑶', '昊', '然',
] as const;

/** A common Chinese personal name, 2 or 3 characters. */
export function fakeChineseName(rng: Rng): string {
  if (rng.chance(0.02)) return rng.pick(COMPOUND_SURNAMES) + rng.pick(GIVEN_CHARS);
  const surname = rng.pick(SURNAMES);
  const given = rng.chance(0.7) ? rng.pick(GIVEN_CHARS) + rng.pick(GIVEN_CHARS) : rng.pick(GIVEN_CHARS);
  return surname + given;
}

// ---------------------------------------------------------------------------
// Places: province, city and districts kept together so an address is consistent.

interface City {
  province: string; // '' for the municipalities, whose city is province-level
  city: string; // full name with 市
  short: string; // for company names: 杭州
  districts: readonly string[];
}

const CITIES: readonly City[] = [
  { province: '', city: '北京市', short: '北京', districts: ['东城区', '西城区', '朝阳区', '海淀区', '丰台区'] },
  { province: '', city: '上海市', short: '上海', districts: ['黄浦区', '徐汇区', '静安区', '浦东新区', '闵行区'] },
  { province: '', city: '天津市', short: '天津', districts: ['和平区', '河西区', '南开区', '滨海新区'] },
  { province: '', city: '重庆市', short: '重庆', districts: ['渝中区', '江北区', '南岸区', '渝北区'] },
  { province: '浙江省', city: '杭州市', short: '杭州', districts: ['上城区', '拱墅区', '西湖区', '滨江区', '余杭区'] },
  { province: '浙江省', city: '宁波市', short: '宁波', districts: ['海曙区', '江北区', '鄞州区', '北仑区'] },
  { province: '江苏省', city: '南京市', short: '南京', districts: ['玄武区', '秦淮区', '鼓楼区', '建邺区', '江宁区'] },
  { province: '江苏省', city: '苏州市', short: '苏州', districts: ['姑苏区', '虎丘区', '吴中区', '工业园区'] },
  { province: '广东省', city: '广州市', short: '广州', districts: ['越秀区', '天河区', '海珠区', '白云区', '番禺区'] },
  { province: '广东省', city: '深圳市', short: '深圳', districts: ['福田区', '罗湖区', '南山区', '宝安区', '龙岗区'] },
  { province: '四川省', city: '成都市', short: '成都', districts: ['锦江区', '青羊区', '武侯区', '成华区', '高新区'] },
  { province: '湖北省', city: '武汉市', short: '武汉', districts: ['江岸区', '武昌区', '洪山区', '汉阳区'] },
  { province: '陕西省', city: '西安市', short: '西安', districts: ['新城区', '碑林区', '雁塔区', '未央区'] },
  { province: '山东省', city: '济南市', short: '济南', districts: ['历下区', '市中区', '槐荫区', '历城区'] },
  { province: '山东省', city: '青岛市', short: '青岛', districts: ['市南区', '市北区', '崂山区', '黄岛区'] },
  { province: '福建省', city: '福州市', short: '福州', districts: ['鼓楼区', '台江区', '仓山区', '晋安区'] },
  { province: '福建省', city: '厦门市', short: '厦门', districts: ['思明区', '湖里区', '集美区', '海沧区'] },
  { province: '湖南省', city: '长沙市', short: '长沙', districts: ['芙蓉区', '天心区', '岳麓区', '开福区'] },
  { province: '河南省', city: '郑州市', short: '郑州', districts: ['中原区', '金水区', '二七区', '管城回族区'] },
  { province: '安徽省', city: '合肥市', short: '合肥', districts: ['瑶海区', '庐阳区', '蜀山区', '包河区'] },
  { province: '辽宁省', city: '沈阳市', short: '沈阳', districts: ['和平区', '沈河区', '皇姑区', '浑南区'] },
  { province: '辽宁省', city: '大连市', short: '大连', districts: ['中山区', '西岗区', '沙河口区', '甘井子区'] },
  { province: '云南省', city: '昆明市', short: '昆明', districts: ['五华区', '盘龙区', '官渡区', '西山区'] },
];

const STREETS = [
  '人民路', '解放路', '中山路', '建设路', '文化路', '和平路', '新华路', '长江路', '黄河路', '学府路',
  '科技路', '创业大道', '金融街', '滨江大道', '南京路', '花园路', '光明路', '迎宾大道', '青年路', '东风路',
] as const;

const CITY_ESTATE_PREFIXES = ['华润', '万达', '金地', '银泰', '世纪', '国贸', '阳光', '绿地', '恒隆', '时代'] as const;
const ESTATES = ['大厦', '广场', '科技园', '中心', '商务楼', '花园'] as const;

/** 省 市 区 街道 门牌号; the province, city and district always belong together. */
export function fakeAddress(rng: Rng): string {
  const c = rng.pick(CITIES);
  const district = rng.pick(c.districts);
  let line = `${c.province}${c.city}${district}${rng.pick(STREETS)}${rng.int(1, 999)}号`;
  if (rng.chance(0.6)) {
    const estate = rng.pick(CITY_ESTATE_PREFIXES) + rng.pick(ESTATES);
    line += `${estate}${rng.int(1, 12)}幢${rng.int(1, 28)}${pad(rng.int(1, 20), 2)}室`;
  }
  return line;
}

// ---------------------------------------------------------------------------
// Companies

const TRADE_NAMES = [
  '瑞丰', '华信', '恒通', '鼎盛', '嘉禾', '远航', '星辰', '汇联', '宏图', '佳诚',
  '启明', '博远', '天成', '永盛', '中科', '创新', '蓝海', '金桥', '润泽', '德信',
  '聚源', '优品', '睿达', '信和', '盛世', '安泰', '泰和', '海纳', '云帆', '锦程',
] as const;

const INDUSTRIES = [
  '科技', '网络科技', '信息技术', '贸易', '实业', '电子商务', '医疗器械', '餐饮管理',
  '建材', '物流', '文化传媒', '教育咨询', '环保科技', '机械设备', '食品', '服饰',
] as const;

/** e.g. 杭州瑞丰科技有限公司 */
export function fakeCompanyName(rng: Rng): string {
  const city = rng.pick(CITIES).short;
  const suffix = rng.chance(0.1) ? '股份有限公司' : '有限公司';
  return `${city}${rng.pick(TRADE_NAMES)}${rng.pick(INDUSTRIES)}${suffix}`;
}

// ---------------------------------------------------------------------------
// Mobile numbers

// Mainland mobile prefixes in the 13x/15x/17x/18x/19x blocks that are actually assigned to
// carriers; 154, 174 (satellite), 179 and 194 are left out.
const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '170', '171', '173', '175', '176', '177', '178',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189',
  '190', '191', '192', '193', '195', '196', '197', '198', '199',
] as const;

/** An 11-digit mainland mobile number. */
export function fakeMobile(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + digits(rng, 8);
}

// ---------------------------------------------------------------------------
// Resident identity card numbers (GB 11643-1999)

// Real-format 6-digit administrative division codes (districts of major prefectures).
const REGION_CODES = [
  '110101', '110105', '110108', '310101', '310104', '310115', '120101', '500103', '330106', '330108',
  '330203', '320102', '320505', '440104', '440106', '440304', '440305', '510104', '510107', '420106',
  '610113', '370102', '370202', '350102', '350203', '430104', '410105', '340104', '210102', '530102',
] as const;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids time-zone drift.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** An 18-character ID number: region, birth date 1960-2003, sequence, valid check digit. */
export function fakeIdCard(rng: Rng): string {
  const year = rng.int(1960, 2003);
  const month = rng.int(1, 12);
  const day = rng.int(1, daysInMonth(year, month));
  const first17 = `${rng.pick(REGION_CODES)}${year}${pad(month, 2)}${pad(day, 2)}${pad(rng.int(1, 999), 3)}`;
  return first17 + idCardCheckDigit(first17);
}

// ---------------------------------------------------------------------------
// Bank cards

// UnionPay BINs (62xxxx) of large mainland banks.
const UNIONPAY_BINS = ['622202', '622848', '621700', '622588', '622260', '621660', '622700', '623668'] as const;

/** A 16-19 digit UnionPay card number with a valid Luhn check digit. */
export function fakeBankCard(rng: Rng): string {
  const length = rng.pick([16, 16, 19, 19, 19, 17, 18]);
  const payload = rng.pick(UNIONPAY_BINS) + digits(rng, length - 7);
  return payload + luhnCheckDigit(payload);
}

// ---------------------------------------------------------------------------
// Email

const PINYIN = [
  'wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun',
  'ma', 'zhu', 'hu', 'guo', 'lin', 'luo', 'wei', 'fang', 'na', 'min', 'jing', 'qiang', 'lei',
  'jun', 'yang', 'jie', 'tao', 'ming', 'chao', 'hua', 'peng', 'hui', 'jian', 'wen', 'ting',
  'yu', 'hao', 'kai', 'jia', 'xin', 'xue', 'chen', 'si', 'zi', 'xuan', 'bo', 'lin', 'zhi',
] as const;

// Only reserved example domains (RFC 2606), so a generated address can never reach a real mailbox.
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'] as const;

export function fakeEmail(rng: Rng): string {
  let local = rng.pick(PINYIN) + rng.pick(PINYIN);
  if (rng.chance(0.3)) local += '.' + rng.pick(PINYIN);
  if (rng.chance(0.6)) local += String(rng.int(1, 9999));
  return `${local}@${rng.pick(EMAIL_DOMAINS)}`;
}

// ---------------------------------------------------------------------------
// Follow-up notes

const CHANNELS = ['电话回访', '微信沟通', '上门拜访', '邮件跟进', '视频会议', '展会接洽'] as const;

const OUTCOMES = [
  '客户对报价基本认可，约定下周上门演示',
  '客户表示预算紧张，需等下季度再评估',
  '已发送产品资料和报价单，等待客户内部审批',
  '客户提出定制需求，已转技术部评估工期',
  '合同条款基本谈妥，待法务确认后签署',
  '客户反馈上次交付的问题已解决，满意度较高',
  '客户负责人变更，已与新对接人建立联系',
  '客户询问续费优惠，已申请九折折扣',
  '客户暂无采购计划，三个月后再次回访',
  '完成首批订单交付，客户要求开具增值税专用发票',
  '客户对竞品价格敏感，需准备对比方案',
  '邀请客户参加新品发布会，客户已确认出席',
] as const;

/** One line of 跟进记录, e.g. "2024-03-12 电话回访：客户对报价基本认可，约定下周上门演示。" */
export function fakeFollowUp(rng: Rng): string {
  return `${fakeDate(rng)} ${rng.pick(CHANNELS)}：${rng.pick(OUTCOMES)}。`;
}

function fakeDate(rng: Rng): string {
  const year = rng.int(2023, 2025);
  const month = rng.int(1, 12);
  const day = rng.int(1, daysInMonth(year, month));
  return `${year}-${pad(month, 2)}-${pad(day, 2)}`;
}

// ---------------------------------------------------------------------------
// Customers

/** VIP 10%, A 25%, B 40%, C 25%. */
function fakeLevel(rng: Rng): CustomerLevel {
  const r = rng.next();
  if (r < 0.1) return 'VIP';
  if (r < 0.35) return 'A';
  if (r < 0.75) return 'B';
  return 'C';
}

/** One customer of the 客户 form (without owner, which the seeder assigns). */
export function fakeCustomer(rng: Rng): FakeCustomer {
  const notes = Array.from({ length: rng.int(1, 3) }, () => fakeFollowUp(rng))
    // The date leads each line, so a string sort puts them in chronological order.
    .sort()
    .join('\n');
  return {
    name: fakeCompanyName(rng),
    contact: fakeChineseName(rng),
    phone: fakeMobile(rng),
    idNo: fakeIdCard(rng),
    email: fakeEmail(rng),
    address: fakeAddress(rng),
    level: fakeLevel(rng),
    notes,
  };
}

/** `count` customers, identical for the same seed. */
export function generateCustomers(count: number, seed: number): FakeCustomer[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
  const rng = createRng(seed);
  return Array.from({ length: count }, () => fakeCustomer(rng));
}
