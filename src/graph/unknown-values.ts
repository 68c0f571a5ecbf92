/** Reports each value Graph sent that this version does not know (enum member, target type) once per type and value. */
import type { PageItem } from './api';
import { isGraphError } from './errors';
import { knownDeviceState, knownFilterType, ODATA_TYPE, WIRE_ENUM, type WireAssignment, type WireDeviceState } from './models';

export interface UnknownValueEvent {
  /** Graph's type, e.g. `microsoft.graph.embeddedSIMDeviceStateValue`. */
  type: string;
  /** The value as received (at most 100 characters). */
  value: string;
}

const TARGET_TYPES: ReadonlySet<string> = new Set([
  ODATA_TYPE.allDevices,
  ODATA_TYPE.allLicensedUsers,
  ODATA_TYPE.group,
  ODATA_TYPE.exclusionGroup,
  ODATA_TYPE.configurationManagerCollection,
]);
/** Distinct values remembered: a Graph that sends junk in every reply must not grow this set without end. */
const MAX_REMEMBERED = 256;
const MAX_VALUE_LENGTH = 100;

export class UnknownValues {
  private readonly seen = new Set<string>();

  constructor(private readonly report?: (event: UnknownValueEvent) => void) {}

  /** Notices the unknown target types and filter types of a set of assignments; returns the set. */
  assignments(list: WireAssignment[]): WireAssignment[] {
    if (this.report === undefined) return list;
    for (const { target } of list) {
      const type = target['@odata.type'];
      if (!TARGET_TYPES.has(type)) this.notice(WIRE_ENUM.targetType, type);
      const filterType = target.deviceAndAppManagementAssignmentFilterType;
      if (filterType != null && knownFilterType(filterType) === undefined) this.notice(WIRE_ENUM.filterType, filterType);
    }
    return list;
  }

  /** Notices the unknown states of a page of device states; returns the page's items. */
  deviceStates(items: PageItem<WireDeviceState>[]): PageItem<WireDeviceState>[] {
    if (this.report === undefined) return items;
    for (const item of items) {
      if (!isGraphError(item) && knownDeviceState(item.state) === undefined) this.notice(WIRE_ENUM.deviceState, item.state);
    }
    return items;
  }

  private notice(type: string, received: string): void {
    const value = received.slice(0, MAX_VALUE_LENGTH);
    const key = `${type}\u0000${value}`;
    if (this.seen.has(key) || this.seen.size >= MAX_REMEMBERED) return;
    this.seen.add(key);
    this.report?.({ type, value });
  }
}
