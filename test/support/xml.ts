// A small well-formedness check for XML we generate (SVG charts): balanced and properly nested
// tags, quoted attributes without a raw '<' or '&', no duplicate attribute, only the five named
// entities or numeric references, one root element. Returns the problems found (none: well-formed).
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const badAmp = /&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/u;
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<|[^<]+/gu;
  for (const m of text.matchAll(token)) {
    const [whole, close, name, attrs, selfClose] = m;
    if (whole === '<') {
      problems.push(`stray '<' at ${m.index}`);
      continue;
    }
    if (!name) {
      if (!whole.startsWith('<') && badAmp.test(whole)) problems.push(`bare '&' in text at ${m.index}`);
      if (!whole.startsWith('<') && stack.length === 0 && whole.trim() !== '') problems.push(`text outside the root at ${m.index}`);
      continue;
    }
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at ${m.index}`);
      continue;
    }
    const seen = new Set<string>();
    for (const a of (attrs ?? '').matchAll(/([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/gu)) {
      if (seen.has(a[1]!)) problems.push(`duplicate attribute ${a[1]} on <${name}>`);
      seen.add(a[1]!);
      const value = a[3] ?? a[4] ?? '';
      if (value.includes('<') || badAmp.test(value)) problems.push(`unescaped value in ${a[1]} on <${name}>`);
    }
    if (stack.length === 0) roots++;
    if (!selfClose) stack.push(name);
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
