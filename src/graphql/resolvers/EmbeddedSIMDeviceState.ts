import type { EmbeddedSIMDeviceStateResolvers } from '../../generated/graphql';
import { deviceStateValue } from '../mapping';

export const EmbeddedSIMDeviceState: EmbeddedSIMDeviceStateResolvers = {
  /** A state this version does not know is UNKNOWN_FUTURE_VALUE, not an error that would take the device state. */
  state: (deviceState) => deviceStateValue(deviceState),
};
