-- 地区 (町域) of an address, as src/domain/address-district.ts computes it (the patterns are the
-- same strings; test/domain/address-district.int.test.ts checks both agree).
CREATE FUNCTION address_district(address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(substring(
    regexp_replace(btrim(regexp_replace(normalize(address, NFKC), '\s+', ' ', 'g')),
      '^(東京都|北海道|京都府|大阪府|[^ ]{2,3}県)?([^ ]+?郡[^ ]+?[町村]|[^ ]+?市([^ ]+?区)?|[^ ]+?区)', ''),
    '^(.+?)([0-9]|[一二三四五六七八九十]+丁目|番地| |$)'), '')
$$;
GRANT EXECUTE ON FUNCTION address_district(text) TO sesshu_app;
