// Municipal configuration on top of the national pack: local (任意, municipally subsidised)
// vaccines and season windows for flu/covid. Configuration is data; it is validated by compiling
// it once at start-up (a bad config fails loudly then, not in the middle of a batch).
import { compilePack, RulePackError } from './compile.ts';
import { JP_ROUTINE } from './rules/jp-routine.ts';
import type { MunicipalityConfig, RulePack, VaccineRule } from './types.ts';

/**
 * Checks a municipality configuration against a pack (season bounds, id collisions, rule syntax)
 * and returns it unchanged. Throws RulePackError with a message naming the offending item.
 */
export function checkMunicipalityConfig(config: MunicipalityConfig, pack: RulePack = JP_ROUTINE): MunicipalityConfig {
  for (const id of Object.keys(config.seasons ?? {})) {
    const rule = pack.vaccines.find((v) => v.id === id) ?? config.localVaccines?.find((v) => v.id === id);
    if (rule === undefined || rule.episode !== 'season') {
      throw new RulePackError(`season configured for '${id}', which is not a seasonal vaccine`);
    }
  }
  compilePack(pack, config);
  return config;
}

/**
 * Example local vaccine: おたふくかぜ (mumps), subsidised by some municipalities for 1–2 year olds.
 * It is injected live, so it takes part in the 27-day rule with MR, 水痘, BCG.
 */
export const EXAMPLE_LOCAL_MUMPS: VaccineRule = {
  id: 'mumps', name: 'おたふくかぜ (任意・助成)', class: 'local', injectedLive: true,
  eligibility: [{ window: { kind: 'age', from: '1y', through: '2y' } }],
  paths: [{ id: '1-dose', doses: [{}] }],
};
