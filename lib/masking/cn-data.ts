/**
 * Chinese reference data the mask rules read: compound surnames and province-level divisions.
 * Data, not messages (test/architecture.test.ts allows Chinese text in this file only, next to
 * the example generator). Pure: the builder's preview runs the same rules in the browser.
 */

/**
 * Two-character surnames: a name that starts with one keeps both characters (欧阳**), so the
 * rule does not split a surname and show half of it as if it were the whole. A small list of
 * the common ones; a rare one missing here only means one more character is hidden.
 */
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙',
  '宇文', '司徒', '夏侯', '令狐', '西门', '南宫', '独孤', '端木', '轩辕', '呼延',
  '钟离', '万俟', '赫连', '澹台', '申屠', '淳于', '太史', '闻人', '百里', '拓跋',
]);

export interface Province {
  /** The official name, e.g. 广东省, 新疆维吾尔自治区. */
  full: string;
  /** The name people write without the suffix, e.g. 广东, 新疆. */
  short: string;
  /**
   * Province and city at once (直辖市, 特别行政区): the address rule keeps this one level only,
   * because the next level down (朝阳区) is a district, which the rule must hide.
   */
  cityLevel: boolean;
}

const p = (full: string, short: string, cityLevel = false): Province => ({ full, short, cityLevel });

/** The 34 province-level divisions. */
export const PROVINCES: readonly Province[] = [
  p('北京市', '北京', true),
  p('天津市', '天津', true),
  p('上海市', '上海', true),
  p('重庆市', '重庆', true),
  p('香港特别行政区', '香港', true),
  p('澳门特别行政区', '澳门', true),
  p('河北省', '河北'),
  p('山西省', '山西'),
  p('辽宁省', '辽宁'),
  p('吉林省', '吉林'),
  p('黑龙江省', '黑龙江'),
  p('江苏省', '江苏'),
  p('浙江省', '浙江'),
  p('安徽省', '安徽'),
  p('福建省', '福建'),
  p('江西省', '江西'),
  p('山东省', '山东'),
  p('河南省', '河南'),
  p('湖北省', '湖北'),
  p('湖南省', '湖南'),
  p('广东省', '广东'),
  p('海南省', '海南'),
  p('四川省', '四川'),
  p('贵州省', '贵州'),
  p('云南省', '云南'),
  p('陕西省', '陕西'),
  p('甘肃省', '甘肃'),
  p('青海省', '青海'),
  p('台湾省', '台湾'),
  p('内蒙古自治区', '内蒙古'),
  p('广西壮族自治区', '广西'),
  p('西藏自治区', '西藏'),
  p('宁夏回族自治区', '宁夏'),
  p('新疆维吾尔自治区', '新疆'),
];

/** Written before the province sometimes (中国广东省…); kept with it, it says nothing. */
export const COUNTRY_PREFIX = '中国';

/**
 * A city-level division at the start of the rest: up to 8 Han characters, lazily, then the
 * first city-level suffix (市, 自治州, 地区, 盟). Lazy, so 深圳市南山区 stops at 深圳市;
 * 自治州 is tried before a later 市 (延边朝鲜族自治州延吉市 → 延边朝鲜族自治州).
 * Linear: bounded repetition, no nesting.
 */
export const CITY_LEVEL = /^\p{Script=Han}{1,8}?(?:自治州|地区|盟|市)/u;
