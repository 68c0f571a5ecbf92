/** Microsoft Graph national cloud deployments: the Graph host and the Entra ID authority host of each. */
export type GraphCloud = 'global' | 'usgov' | 'usgovdod' | 'china';

/** Graph's origin and Entra ID's authority host per cloud; source: learn.microsoft.com/graph/deployments. */
export const CLOUDS: Readonly<Record<GraphCloud, { graph: string; authority: string }>> = {
  global: { graph: 'https://graph.microsoft.com', authority: 'https://login.microsoftonline.com' },
  usgov: { graph: 'https://graph.microsoft.us', authority: 'https://login.microsoftonline.us' },
  usgovdod: { graph: 'https://dod-graph.microsoft.us', authority: 'https://login.microsoftonline.us' },
  china: { graph: 'https://microsoftgraph.chinacloudapi.cn', authority: 'https://login.chinacloudapi.cn' },
};
