import { z } from 'zod';

/** The folders under inbox/: one per data-providing agency, plus the inspection bureau itself. */
export const AGENCIES = ['statistics', 'market', 'tax', 'civil-affairs', 'personnel', 'org-code', 'labour'] as const;
export type Agency = (typeof AGENCIES)[number];

/**
 * One kind per file layout. Civil affairs and labour hand over several layouts through one folder;
 * their kinds are told apart by headers (connectors/headers.ts).
 */
export const FEED_KINDS = [
  'statistics',
  'market',
  'tax',
  'civil-affairs.social-orgs',
  'civil-affairs.divisions',
  'personnel',
  'org-code',
  'labour.grids',
  'labour.supervised',
  'labour.complaints',
  'labour.arrears',
  'labour.credit',
] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** Kinds whose rows describe employers, i.e. the inputs of entity resolution. */
export const ENTITY_KINDS = [
  'statistics',
  'market',
  'tax',
  'civil-affairs.social-orgs',
  'personnel',
  'org-code',
] as const satisfies readonly FeedKind[];
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const KINDS_BY_AGENCY: Readonly<Record<Agency, readonly FeedKind[]>> = {
  statistics: ['statistics'],
  market: ['market'],
  tax: ['tax'],
  'civil-affairs': ['civil-affairs.social-orgs', 'civil-affairs.divisions'],
  personnel: ['personnel'],
  'org-code': ['org-code'],
  labour: ['labour.grids', 'labour.supervised', 'labour.complaints', 'labour.arrears', 'labour.credit'],
};

export function agencyOfKind(kind: FeedKind): Agency {
  const dot = kind.indexOf('.');
  return (dot < 0 ? kind : kind.slice(0, dot)) as Agency;
}

export function isAgency(value: string): value is Agency {
  return (AGENCIES as readonly string[]).includes(value);
}

export function isFeedKind(value: string): value is FeedKind {
  return (FEED_KINDS as readonly string[]).includes(value);
}

// Values stay raw text at this stage: dates, numbers and codes arrive in too many shapes to type
// them before normalisation, and the raw form is what lineage must be able to show.
const raw = z.string().trim().optional();

function fieldsOf<const K extends readonly string[]>(names: K) {
  return Object.fromEntries(names.map((name) => [name, raw])) as { [P in K[number]]: typeof raw };
}

export const StatisticsFields = z.object(
  fieldsOf([
    'uscc',
    'org_code',
    'name',
    'division_code',
    'address',
    'industry_code',
    'unit_type',
    'employees',
    'established',
    'phone',
  ] as const),
);
export const MarketFields = z.object(
  fieldsOf([
    'uscc',
    'reg_no',
    'name',
    'company_type',
    'legal_rep',
    'address',
    'established',
    'reg_status',
    'reg_authority',
    'capital',
    'business_scope',
    'approved',
  ] as const),
);
export const TaxFields = z.object(
  fieldsOf([
    'tax_id',
    'name',
    'legal_rep',
    'address',
    'reg_type',
    'tax_authority',
    'tax_status',
    'established',
    'industry',
  ] as const),
);
export const SocialOrgFields = z.object(
  fieldsOf([
    'uscc',
    'name',
    'org_type',
    'legal_rep',
    'address',
    'supervisor',
    'reg_authority',
    'established',
    'reg_status',
  ] as const),
);
export const DivisionFields = z.object(
  fieldsOf(['division_code', 'division_name', 'division_level', 'parent_code'] as const),
);
export const PersonnelFields = z.object(
  fieldsOf([
    'uscc',
    'name',
    'unit_category',
    'supervisor',
    'address',
    'quota',
    'staff',
    'contract_staff',
    'dispatched_staff',
  ] as const),
);
export const OrgCodeFields = z.object(
  fieldsOf([
    'org_code',
    'name',
    'org_type',
    'legal_rep',
    'address',
    'division_code',
    'established',
    'valid_until',
    'employees',
  ] as const),
);
export const GridFields = z.object(
  fieldsOf([
    'grid_code',
    'grid_name',
    'grid_level',
    'parent_grid_code',
    'division_codes',
    'inspector',
    'assistant',
    'phone',
  ] as const),
);
export const SupervisedFields = z.object(
  fieldsOf(['code', 'name', 'grid_code', 'supervised_since', 'inspector'] as const),
);
export const ComplaintFields = z.object(
  fieldsOf(['uscc', 'name', 'received', 'complaint_type', 'content', 'result'] as const),
);
export const ArrearsFields = z.object(
  fieldsOf(['uscc', 'name', 'wage_months', 'fee_months', 'registered', 'amount', 'workers'] as const),
);
export const CreditFields = z.object(fieldsOf(['uscc', 'name', 'year', 'grade', 'dishonest', 'authority'] as const));

export const FEED_SCHEMAS = {
  statistics: StatisticsFields,
  market: MarketFields,
  tax: TaxFields,
  'civil-affairs.social-orgs': SocialOrgFields,
  'civil-affairs.divisions': DivisionFields,
  personnel: PersonnelFields,
  'org-code': OrgCodeFields,
  'labour.grids': GridFields,
  'labour.supervised': SupervisedFields,
  'labour.complaints': ComplaintFields,
  'labour.arrears': ArrearsFields,
  'labour.credit': CreditFields,
} as const satisfies Record<FeedKind, z.ZodObject>;

export type FeedFieldsOf<K extends FeedKind> = z.infer<(typeof FEED_SCHEMAS)[K]>;
/** Canonical field name of a kind, e.g. FeedField<'tax'> = 'tax_id' | 'name' | … */
export type FeedField<K extends FeedKind> = keyof FeedFieldsOf<K> & string;

export const FEED_FIELDS: Record<FeedKind, readonly string[]> = Object.fromEntries(
  FEED_KINDS.map((kind) => [kind, Object.freeze(Object.keys(FEED_SCHEMAS[kind].shape))]),
) as Record<FeedKind, readonly string[]>;
