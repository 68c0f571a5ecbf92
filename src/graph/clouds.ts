/** Microsoft Graph national cloud deployments: the Graph host and the Entra ID authority host of each. */
export type GraphCloud = 'global' | 'usgov' | 'usgovdod' | 'china';

export interface CloudEndpoints {
  /** Graph's origin, e.g. https://graph.microsoft.com */
  graph: string;
  /** Entra ID's authority host, e.g. https://login.microsoftonline.com */
  authority: string;
}

/** Source: learn.microsoft.com/graph/deployments (root endpoints and Entra ID endpoints per cloud). */
export const CLOUDS: Readonly<Record<GraphCloud, CloudEndpoints>> = {
  global: { graph: 'https://graph.microsoft.com', authority: 'https://login.microsoftonline.com' },
  usgov: { graph: 'https://graph.microsoft.us', authority: 'https://login.microsoftonline.us' },
  usgovdod: { graph: 'https://dod-graph.microsoft.us', authority: 'https://login.microsoftonline.us' },
  china: { graph: 'https://microsoftgraph.chinacloudapi.cn', authority: 'https://login.chinacloudapi.cn' },
};
