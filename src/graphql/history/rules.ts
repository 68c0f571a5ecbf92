/** The edit rules the history compares sets with: the same version and diff as the API's. */
import type { SetRules } from '../../history/history';
import { assignmentsVersion, diffAssignments } from '../edits/merge';

export const HISTORY_RULES: SetRules = {
  version: (targets) => assignmentsVersion(targets.map((target) => ({ target }))),
  diff: (before, after) => diffAssignments(before.map((target, i) => ({ id: String(i), target })), after.map((target) => ({ target }))),
};
