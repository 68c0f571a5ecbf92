/** Connection edges; an item Graph sent wrongly is a null node with its UPSTREAM_ERROR, every other edge stands. */
import type { EmbeddedSIMActivationCodePoolEdgeResolvers, EmbeddedSIMDeviceStateEdgeResolvers } from '../../generated/graphql';
import { edgeNode } from '../mapping';

export const EmbeddedSIMActivationCodePoolEdge: EmbeddedSIMActivationCodePoolEdgeResolvers = {
  node: (edge) => edgeNode(edge),
};

export const EmbeddedSIMDeviceStateEdge: EmbeddedSIMDeviceStateEdgeResolvers = {
  node: (edge) => edgeNode(edge),
};
