/** What assignment targets point at: Entra ID groups and Intune assignment filters (read by getDirectoryObjects). */

/** What a target references: a group, or an assignment filter. */
export interface DirectoryKey {
  kind: 'group' | 'filter';
  id: string;
}

/** A group that exists, or an assignment filter with Graph's `devicePlatformType` as sent (`iOS`, …). */
export type WireDirectoryObject = { kind: 'group'; id: string } | { kind: 'filter'; id: string; platform?: string };
