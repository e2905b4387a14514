// The one implementation of a dose's master checks (製品・ロット・医療機関), shared by manual entry
// (checkDose) and clinic files: the masters are read in bulk for any number of doses, then each
// dose is checked in memory. control: DATA-02
import type { ScopedTx } from '../../db/scoped.ts';
import { scheduleEngine } from '../schedule/contract.ts';

export interface ProductRef {
  name: string;
  vaccine_id: string;
  schedule_product: string | null;
}

/** The master rows a set of doses refers to. */
export interface MasterRefs {
  readonly products: ReadonlyMap<string, ProductRef>;
  /** Lots by product name (only products that have lots registered). */
  readonly lots: ReadonlyMap<string, ReadonlyMap<string, string | null>>;
  readonly institutions: ReadonlySet<string>;
}

/** Reads the products (with their lots) and institutions named, in three queries whatever the count. */
export async function loadMasterRefs(tx: ScopedTx, want: { products: Iterable<string>; institutions: Iterable<string> }): Promise<MasterRefs> {
  const productNames = [...new Set(want.products)];
  const institutionCodes = [...new Set(want.institutions)];
  const products = productNames.length === 0 ? [] : await tx.query<ProductRef>(
    'SELECT name, vaccine_id, schedule_product FROM vaccine_products WHERE name = ANY($1::text[])',
    [productNames],
  );
  const lotRows = products.length === 0 ? [] : await tx.query<{ product_name: string; lot_number: string; expires_on: string | null }>(
    'SELECT product_name, lot_number, expires_on FROM vaccine_lots WHERE product_name = ANY($1::text[])',
    [products.map((p) => p.name)],
  );
  const lots = new Map<string, Map<string, string | null>>();
  for (const l of lotRows) {
    let m = lots.get(l.product_name);
    if (!m) lots.set(l.product_name, (m = new Map()));
    m.set(l.lot_number, l.expires_on);
  }
  const institutions = institutionCodes.length === 0 ? [] : await tx.query<{ code: string }>(
    'SELECT code FROM medical_institutions WHERE code = ANY($1::text[])',
    [institutionCodes],
  );
  return { products: new Map(products.map((p) => [p.name, p])), lots, institutions: new Set(institutions.map((i) => i.code)) };
}

export interface MasterInput {
  vaccine: string;
  date: string;
  /** Already trimmed; null when not given. */
  product: string | null;
  lot: string | null;
  institutionCode: string | null;
}

export type MasterField = 'product' | 'lot' | 'institution';

export type MasterCheck =
  | { ok: true; productName: string | null; scheduleProduct: string | null; lotNumber: string | null; institutionCode: string | null }
  | { ok: false; field: MasterField; message: string };

/**
 * A product is a master product name (for this vaccine) or, without a master entry, a product id of
 * the rule pack (e.g. pcv20); a lot must be registered for its master product when that product has
 * lots, and not expired on the vaccination date; an institution must be in the master.
 */
export function checkMasterRefs(refs: MasterRefs, input: MasterInput): MasterCheck {
  let productName: string | null = null;
  let scheduleProduct: string | null = null;
  const { product, lot, institutionCode } = input;
  if (product) {
    const p = refs.products.get(product);
    if (p) {
      if (p.vaccine_id !== input.vaccine) return { ok: false, field: 'product', message: `製品「${p.name}」は ${p.vaccine_id} のワクチンです (product is for another vaccine)` };
      productName = p.name;
      scheduleProduct = p.schedule_product;
    } else if (scheduleEngine().compiled.byId.get(input.vaccine)?.productLive.has(product)) {
      scheduleProduct = product; // a product id of the rule pack (e.g. pcv20) without a master entry
    } else {
      return { ok: false, field: 'product', message: `製品「${product}」はワクチン製品マスタにありません (unknown product)` };
    }
  }
  if (lot && productName) {
    const lots = refs.lots.get(productName);
    const found = lots?.has(lot) === true;
    if (lots && lots.size > 0 && !found) return { ok: false, field: 'lot', message: `ロット番号 ${lot} は製品「${productName}」のロットマスタにありません (unknown lot)` };
    const expires = lots?.get(lot) ?? null;
    if (found && expires && expires < input.date) return { ok: false, field: 'lot', message: `ロット ${lot} は ${expires} に有効期限切れです (lot expired before the vaccination date)` };
  }
  if (institutionCode && !refs.institutions.has(institutionCode)) {
    return { ok: false, field: 'institution', message: `医療機関コード ${institutionCode} は医療機関マスタにありません (unknown medical institution)` };
  }
  return { ok: true, productName, scheduleProduct, lotNumber: lot, institutionCode };
}
