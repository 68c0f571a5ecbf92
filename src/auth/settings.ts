/** The operation limits (MAX_* and ROUTER_MAX_*, docs/configuration.md); their defaults are an empty environment's. */
import { loadConfig, type Config } from '../config';

export type OperationLimits = Config['limits'];
export const DEFAULT_LIMITS: Readonly<OperationLimits> = loadConfig({}).limits;
