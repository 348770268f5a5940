import fs from 'node:fs';
import { once } from 'node:events';
import iconv from 'iconv-lite';
import { orgCodeCheckChar, usccCheckChar } from '../../pipelines/normalize/codes.ts';

/** The columns of a market-regulation register as the agency exports them (header names, not positions, matter). */
export const MARKET_HEADER = ['统一社会信用代码', '注册号', '企业名称', '企业类型', '法定代表人', '住所', '成立日期', '登记状态', '登记机关', '注册资本(万元)', '经营范围', '核准日期'];

const DISTRICTS = [
  ['321002', '广陵区', ['汶河街道', '东关街道', '文峰街道', '湾头镇', '杭集镇']],
  ['321003', '邗江区', ['蒋王街道', '汊河街道', '西湖街道', '瓜洲镇', '杨寿镇']],
  ['321012', '江都区', ['仙女镇', '邵伯镇', '真武镇', '宜陵镇', '小纪镇']],
  ['321091', '经济技术开发区', ['扬子津街道', '文汇街道', '施桥镇', '八里镇', '朴席镇']],
] as const;
const TRADE = ['鑫源', '恒达', '华润', '金鼎', '瑞丰', '永盛', '宏远', '天成', '嘉禾', '中信', '博雅', '润泽', '德胜', '新港', '汇通', '万家'];
const INDUSTRY = ['贸易', '科技', '建筑工程', '餐饮管理', '物流', '机械制造', '服装', '装饰工程', '电子商务', '汽车维修', '农业发展', '文化传媒'];
const FORMS = ['有限公司', '有限责任公司', '股份有限公司', '个人独资企业', '合伙企业（有限合伙）'];
const TYPES = ['有限责任公司（自然人投资或控股）', '股份有限公司（非上市）', '个人独资企业', '有限合伙企业', '个体工商户', '有限责任公司分公司'];
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红海波';
const ROADS = ['文昌路', '江阳路', '扬子江路', '运河北路', '维扬路', '邗江路', '沙口路', '开发路', '新城河路', '翠岗路'];
const STATUS = ['存续', '存续', '存续', '在业', '迁入', '注销', '吊销'];
const SCOPES = [
  '许可项目：道路货物运输（不含危险货物）',
  '一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广',
  '餐饮服务；食品销售',
  '建筑工程施工；建设工程设计',
  '服装制造；服装服饰零售, 服装服饰批发',
  '机械设备销售；五金产品零售',
];
const FULL_WIDTH_DIGITS = '０１２３４５６７８９';

/** Deterministic (mulberry32): the same rows every run, so figures compare across machines. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/**
 * One register row. Mixes what real exports carry: quoted fields with commas, doubled quotes and
 * line breaks, full-width digits, dates in several shapes, empty codes, and about 1 row in 1,000
 * with neither name nor code (a reject).
 */
export function marketRow(i: number, rnd: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const [division, district, streets] = pick(DISTRICTS);
  const body = String(10_000_000 + i).slice(-8);
  const org = `${body}${orgCodeCheckChar(body)}`;
  const first17 = `91${division}${org}`;
  const uscc = rnd() < 0.05 ? '' : `${first17}${usccCheckChar(first17)}`;
  const name = `扬州市${pick(TRADE)}${pick(INDUSTRY)}${i}${pick(FORMS)}`;
  const address = `${rnd() < 0.5 ? '江苏省' : ''}扬州市${district}${pick(streets)}${pick(ROADS)}${rnd() < 0.2 ? [...String(1 + (i % 300))].map((d) => FULL_WIDTH_DIGITS[Number(d)]).join('') : 1 + (i % 300)}号`;
  const y = 1995 + Math.floor(rnd() * 31);
  const m = 1 + Math.floor(rnd() * 12);
  const d = 1 + Math.floor(rnd() * 28);
  const date = pick([`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`, `${y}/${m}/${d}`, `${y}年${m}月${d}日`, `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`]);
  let scope = `${pick(SCOPES)}（依法须经批准的项目，经相关部门批准后方可开展经营活动）`;
  if (rnd() < 0.05) scope += `\r\n一般项目："${pick(SCOPES)}"`;
  const person = `${pick([...SURNAMES])}${pick([...GIVEN])}${rnd() < 0.5 ? pick([...GIVEN]) : ''}`;
  const row = [uscc, rnd() < 0.3 ? `32100${String(1_000_000_000 + i).slice(-10)}` : '', name, pick(TYPES), person, address, date, pick(STATUS), `扬州市${district}市场监督管理局`, String(Math.floor(rnd() * 5000)), scope, date];
  if (i % 1000 === 999) {
    row[0] = '';
    row[1] = '';
    row[2] = '';
  }
  return row;
}

/** Streams `rows` market rows to `file` (UTF-8 with BOM, or GB18030 as Windows Excel writes it); returns its size. */
export async function writeMarketFeed(file: string, rows: number, encoding: 'utf-8' | 'gb18030'): Promise<number> {
  const out = fs.createWriteStream(file);
  const encoder = encoding === 'gb18030' ? iconv.getEncoder('gb18030') : null;
  const write = async (text: string) => {
    const bytes = encoder ? encoder.write(text) : Buffer.from(text, 'utf8');
    if (!out.write(bytes)) await once(out, 'drain');
  };
  const rnd = prng(20261127);
  await write(`${encoding === 'utf-8' ? '\ufeff' : ''}${MARKET_HEADER.join(',')}\r\n`);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${marketRow(i, rnd).map(csvCell).join(',')}\r\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  const tail = encoder?.end();
  if (tail && tail.length) out.write(tail);
  out.end();
  await once(out, 'finish');
  return fs.statSync(file).size;
}
