import { Menu, app, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { LINKS } from '../ipc/links.ts';
import type { LinkId, MenuCommand } from '../ipc/contract.ts';

/**
 * The application menu. Items that act on the GUI send a typed `menuCommand` to the renderer;
 * Help shows the app's own bundled documentation, or opens only the fixed links of links.ts.
 */
export function buildMenu(opts: {
  window: () => BrowserWindow | null;
  command: (command: MenuCommand) => void;
  openLink: (id: LinkId) => void;
  about: () => void;
}): Menu {
  const isMac = process.platform === 'darwin';
  const cmd = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => opts.command(command),
  });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        cmd('Add Node…', 'add-node', 'CmdOrCtrl+N'),
        cmd('Add Nodes from List…', 'bulk-add', 'CmdOrCtrl+Shift+N'),
        cmd('Sign a CSR…', 'sign-csr', 'CmdOrCtrl+Shift+S'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        // One shortcut per sidebar section, in the sidebar's order (the renderer's lib/shortcuts.ts lists the same).
        cmd('Certificate Authority', 'show-ca', 'CmdOrCtrl+1'),
        cmd('Nodes', 'show-nodes', 'CmdOrCtrl+2'),
        cmd('Sign a CSR', 'show-csr', 'CmdOrCtrl+3'),
        cmd('Trust Store', 'show-truststore', 'CmdOrCtrl+4'),
        cmd('Push to Nodes', 'show-push', 'CmdOrCtrl+5'),
        cmd('Lifecycle', 'show-lifecycle', 'CmdOrCtrl+6'),
        cmd('CA Rotation', 'show-rotation', 'CmdOrCtrl+7'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        // Developer tools only in a development build.
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    {
      label: '&Help',
      submenu: [
        cmd('Cluster Trust Help', 'help', 'F1'),
        cmd('Keyboard Shortcuts', 'shortcuts', 'CmdOrCtrl+/'),
        { type: 'separator' },
        ...(Object.keys(LINKS) as LinkId[]).map((id) => ({ label: LINKS[id].title, click: () => opts.openLink(id) })),
        { type: 'separator' },
        { label: 'About Cluster Trust', click: () => opts.about() },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
