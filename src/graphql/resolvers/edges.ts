/**
 * Connection edges. An item Graph sent wrongly is kept in its place as its error (mapping's EdgeModel): its node is
 * null with that item's UPSTREAM_ERROR at `…edges[i].node`, and every other edge, and its own cursor, stand.
 */
import type { EmbeddedSIMActivationCodePoolEdgeResolvers, EmbeddedSIMDeviceStateEdgeResolvers } from '../../generated/graphql';
import { edgeNode } from '../mapping';

export const EmbeddedSIMActivationCodePoolEdge: EmbeddedSIMActivationCodePoolEdgeResolvers = {
  node: (edge) => edgeNode(edge),
  cursor: (edge) => edge.cursor,
};

export const EmbeddedSIMDeviceStateEdge: EmbeddedSIMDeviceStateEdgeResolvers = {
  node: (edge) => edgeNode(edge),
  cursor: (edge) => edge.cursor,
};
