/**
 * The landing page's only script: Apollo Sandbox from Apollo's CDN, else (failed, late, or `?explorer=offline`) the
 * offline explorer from this server.
 */
import { CONFIG_ELEMENT_ID, type ExplorerPageConfig } from '../http/explorer/config';
import './landing.css';

interface SandboxOptions {
  target: string;
  initialEndpoint: string;
  initialState: { document: string; variables: Record<string, unknown>; headers: Record<string, string>; includeCookies: boolean };
  hideCookieToggle: boolean;
  endpointIsEditable: boolean;
  runTelemetry: boolean;
  allowDynamicStyles: boolean;
}

declare global {
  interface Window {
    EmbeddedSandbox?: new (options: SandboxOptions) => unknown;
  }
}

function readConfig(): ExplorerPageConfig {
  const text = document.getElementById(CONFIG_ELEMENT_ID)?.textContent;
  if (!text) throw new Error(`the page has no #${CONFIG_ELEMENT_ID}`);
  const config: unknown = JSON.parse(text);
  if (!isExplorerPageConfig(config)) throw new Error(`#${CONFIG_ELEMENT_ID} is not the explorer's configuration`);
  return config;
}

/** The fields this script reads before handing the configuration on (src/http/explorer/index.ts writes them all). */
function isExplorerPageConfig(value: unknown): value is ExplorerPageConfig {
  return (
    typeof value === 'object' &&
    value !== null &&
    'endpoint' in value &&
    typeof value.endpoint === 'string' &&
    'assetBase' in value &&
    typeof value.assetBase === 'string' &&
    'tabs' in value &&
    Array.isArray(value.tabs) &&
    'sandboxScript' in value &&
    typeof value.sandboxScript === 'string' &&
    'sandboxTimeoutMs' in value &&
    typeof value.sandboxTimeoutMs === 'number'
  );
}

interface OfflineExplorer {
  mount(config: ExplorerPageConfig, reason: string): void;
}

function isOfflineExplorer(value: unknown): value is OfflineExplorer {
  return typeof value === 'object' && value !== null && 'mount' in value && typeof value.mount === 'function';
}

function setStatus(text: string): void {
  const status = document.querySelector('#explorer-status p');
  if (status) status.textContent = text;
}

/** Resolves true once the embed script has run, false when it failed or took longer than `timeoutMs`. */
function loadSandboxScript(src: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const script = document.createElement('script');
    const timer = setTimeout(() => {
      // A black-holed network neither loads nor fails: stop waiting, and ignore the script if it comes later.
      script.onload = script.onerror = null;
      resolve(false);
    }, timeoutMs);
    script.onload = () => {
      clearTimeout(timer);
      resolve(typeof window.EmbeddedSandbox === 'function');
    };
    script.onerror = () => {
      clearTimeout(timer);
      resolve(false);
    };
    script.src = src;
    document.head.appendChild(script);
  });
}

function startSandbox(config: ExplorerPageConfig): void {
  const EmbeddedSandbox = window.EmbeddedSandbox;
  if (!EmbeddedSandbox) return;
  document.getElementById('explorer-status')?.setAttribute('hidden', '');
  // The same options as Apollo Server's own landing page: this endpoint, not editable, the examples preloaded.
  new EmbeddedSandbox({
    target: '#embeddableSandbox',
    initialEndpoint: new URL(config.endpoint, window.location.href).href,
    initialState: { ...config.sandbox, includeCookies: false },
    hideCookieToggle: false,
    endpointIsEditable: false,
    runTelemetry: true,
    allowDynamicStyles: false,
  });
}

async function startOffline(config: ExplorerPageConfig, reason: string): Promise<void> {
  const assets = config.assets;
  if (!assets) {
    setStatus(`${reason} The offline explorer is not built: run npm run build and reload.`);
    return;
  }
  setStatus(`${reason} Opening the built-in explorer…`);
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = config.assetBase + assets.graphiqlCss;
  document.head.appendChild(css);
  const explorer: unknown = await import(config.assetBase + assets.graphiql);
  if (!isOfflineExplorer(explorer)) throw new Error('the offline explorer has no mount()');
  explorer.mount(config, reason);
  document.getElementById('explorer-status')?.setAttribute('hidden', '');
}

async function main(): Promise<void> {
  const config = readConfig();
  if (new URLSearchParams(window.location.search).get('explorer') === 'offline') {
    await startOffline(config, 'Offline explorer requested (?explorer=offline).');
    return;
  }
  if (await loadSandboxScript(config.sandboxScript, config.sandboxTimeoutMs)) {
    startSandbox(config);
    return;
  }
  await startOffline(config, 'Apollo Sandbox could not be loaded from Apollo\u2019s CDN (offline or blocked).');
}

main().catch((error: unknown) => {
  setStatus(`The explorer failed to start: ${error instanceof Error ? error.message : String(error)}`);
  throw error;
});
