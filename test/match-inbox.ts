/**
 * A small inbox of hand-made registers for the matching tests: every row is there for one rule
 * (a typo at the same site, a branch at its parent's address, one trade name in two districts, one
 * code with two names, one name and address with two codes, a closed unit, a name without an address).
 */
import fs from 'node:fs';
import path from 'node:path';
import { orgCodeCheckChar, usccCheckChar } from '../pipelines/normalize/codes.ts';
import { tempDir } from './support/inbox.ts';

/** A valid unified code (and its organisation code) numbered n, issued in district `division`. */
export function uscc(n: number, division = '321003'): string {
  const body = `MA${String(n).padStart(6, '0')}`;
  const org = body + orgCodeCheckChar(body)!;
  const first17 = `91${division}${org}`;
  return first17 + usccCheckChar(first17)!;
}

export const CODES = {
  xinyuan: uscc(1),
  hengyang: uscc(2, '321002'),
  hengyangBranch: uscc(3),
  wangGuangling: uscc(4, '321002'),
  wangHanjiang: uscc(5),
  boyi: uscc(6, '321002'),
  boyiOther: uscc(7, '321002'),
  tianqing: uscc(8, '321012'),
  mingkai: uscc(9, '321002'),
  guangming: uscc(10),
};

const csv = (rows: string[][]) => `${rows.map((r) => r.join(',')).join('\n')}\n`;

function write(inbox: string, agency: string, file: string, rows: string[][]): string {
  const full = path.join(inbox, agency, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, csv(rows));
  // Old enough that the inbox does not wait for it to settle.
  const past = new Date(Date.now() - 120_000);
  fs.utimesSync(full, past, past);
  return full;
}

export const MARKET_HEADER = ['统一社会信用代码', '企业名称', '企业类型', '法定代表人', '住所', '成立日期', '登记状态'];

export function marketRows(): string[][] {
  const c = CODES;
  return [
    [c.xinyuan, '扬州鑫源电子有限公司', '有限责任公司', '张伟', '扬州市邗江区文昌西路100号', '2015-03-01', '存续'],
    [c.hengyang, '扬州市恒扬建材有限公司', '有限责任公司', '李强', '扬州市广陵区运河东路10号', '2010-05-01', '存续'],
    [c.hengyangBranch, '扬州市恒扬建材有限公司邗江分公司', '分公司', '王芳', '扬州市广陵区运河东路10号', '2016-05-01', '存续'],
    [c.wangGuangling, '扬州市广陵区老王水果店', '个体工商户', '王明', '扬州市广陵区渡江路5号', '2018-01-01', '存续'],
    [c.wangHanjiang, '扬州市邗江区老王水果店', '个体工商户', '赵刚', '扬州市邗江区杨寿大街20号', '2019-01-01', '存续'],
    [c.boyi, '扬州博益装潢有限公司', '有限责任公司', '谢飞', '扬州市广陵区徐凝门路350号', '2012-01-01', '存续'],
    [c.tianqing, '扬州天青环保科技有限公司', '有限责任公司', '汤平', '扬州市江都区郭村镇四庄村九组40号', '2017-01-01', '存续'],
    [c.mingkai, '扬州市明凯科技有限公司', '有限责任公司', '史飞', '扬州市广陵区彩衣街317号', '2011-01-01', '注销'],
    [c.guangming, '扬州市光明塑料制品有限公司', '有限责任公司', '孙丽', '扬州市邗江区瓜洲路88号', '2013-01-01', '存续'],
  ];
}

export function writeMatchInbox(inbox = tempDir('gl-match-')): string {
  const c = CODES;
  write(inbox, 'market', 'market-20261127.csv', [MARKET_HEADER, ...marketRows()]);
  write(inbox, 'statistics', '基本单位名录-20260930.csv', [
    ['统一社会信用代码', '组织机构代码', '单位详细名称', '区划代码', '详细地址', '联系电话'],
    // A sound-alike typo, no code, same site: the same unit as 扬州鑫源电子.
    ['', '', '扬州新源电子有限公司', '', '邗江区文昌西路100号', '0514-87000001'],
    // The parent, without a code, at the address it shares with its branch.
    ['', '', '扬州市恒扬建材有限公司', '', '广陵区运河东路10号', ''],
    // The parent's code under a name that has nothing to do with it: a contradiction for a steward.
    [c.tianqing, '', '扬州市红星饭店', '', '江都区郭村镇四庄村九组40号', ''],
    // The 邗江 shop of a trade name that also has a shop in 广陵.
    ['', '', '扬州市邗江区老王水果店', '', '邗江区杨寿大街20号', ''],
    // A name and a district, nothing else: neither linked nor dropped, but queued.
    ['', '', '扬州市光明塑料制品有限公司', '321003', '', ''],
  ]);
  write(inbox, 'tax', 'tax-20261120.csv', [
    ['纳税人识别号', '纳税人名称', '法定代表人', '生产经营地址', '纳税人状态'],
    // Same name and address as 扬州博益装潢, another valid code: two registered units, for a steward.
    [c.boyiOther, '扬州博益装潢有限公司', '谢飞', '扬州市广陵区徐凝门路350号', '正常'],
    // A closed unit is still matched.
    ['', '扬州市明凯科技有限公司', '史飞', '扬州市广陵区彩衣街317号', '注销'],
    ['', '扬州市广陵区老王水果店', '王明', '扬州市广陵区渡江路5号', '正常'],
  ]);
  return inbox;
}

/** Next day's market register: the same rows, one shop moved, one new company. */
export function writeNextMarket(inbox: string): void {
  // The register now words its statuses differently (在业 for 存续, 已注销 for 注销): the rows differ, so they
  // are staged again (an identical row would be carried, pipelines/ingest/carry.ts), but say the same about their units.
  const reworded = (r: string[]) => [...r.slice(0, 6), r[6] === '存续' ? '在业' : `已${r[6]}`, ...r.slice(7)];
  const rows = marketRows().map((r) => (r[0] === CODES.wangHanjiang ? [...r.slice(0, 4), '扬州市邗江区杨寿大街22号', ...r.slice(5)] : r)).map(reworded);
  rows.push([uscc(11), '扬州市新创科技有限公司', '有限责任公司', '周敏', '扬州市邗江区文昌西路200号', '2026-11-28', '存续']);
  write(inbox, 'market', 'market-20261128.csv', [MARKET_HEADER, ...rows]);
}
