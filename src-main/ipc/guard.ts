import { isAppUrl } from './origin.ts';

/** What the guard needs to know about who sent an IPC message (read from Electron's event). */
export interface SenderInfo {
  webContentsId: number;
  /** False for iframes and for frames that are gone (Electron then gives no senderFrame). */
  isMainFrame: boolean;
  frameUrl: string | null;
}

/**
 * Why a message must be dropped, or null when it comes from our own window's top frame showing our
 * own page. Every main-side listener goes through this (GitHub Desktop's pattern, plus an origin check).
 */
export function senderProblem(info: SenderInfo, trustedWebContents: ReadonlySet<number>): string | null {
  if (!trustedWebContents.has(info.webContentsId)) return `webContents ${info.webContentsId} is not one of the app's windows`;
  if (!info.isMainFrame) return 'the message came from a subframe';
  if (!isAppUrl(info.frameUrl)) return `the sending page is not the app (${info.frameUrl ?? 'no URL'})`;
  return null;
}

interface FrameLike {
  url: string;
  routingId: number;
  processId: number;
}

interface EventLike {
  sender: { id: number; mainFrame: FrameLike };
  senderFrame?: FrameLike | null;
}

export function senderInfo(event: EventLike): SenderInfo {
  const frame = event.senderFrame ?? null;
  let main: FrameLike | null = null;
  try {
    main = event.sender.mainFrame;
  } catch {
    main = null; // a destroyed webContents throws here
  }
  const isMainFrame = Boolean(frame && main && frame.routingId === main.routingId && frame.processId === main.processId);
  return { webContentsId: event.sender.id, isMainFrame, frameUrl: frame ? frame.url : null };
}
