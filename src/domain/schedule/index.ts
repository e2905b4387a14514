// Public surface of the schedule engine (schedule-jp.md): rule packs as data, validation, forecast.
export { createEngine, ScheduleInputError, type Engine } from './engine.ts';
export { compilePack, RulePackError } from './compile.ts';
export { checkMunicipalityConfig, EXAMPLE_LOCAL_MUMPS } from './config.ts';
export { extendForLongIllness } from './long-illness.ts';
export { JP_ROUTINE } from './rules/jp-routine.ts';
export * from './types.ts';
