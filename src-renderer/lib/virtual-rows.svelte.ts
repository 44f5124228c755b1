import { windowOfSized, type SizedWindow } from './table-view.ts';

/**
 * A scrolling table that puts only the rows in view in the DOM (10,000 lifecycle or push rows):
 * the container reports its scroll position, each rendered row its height (read in one batch at
 * the next scroll), and `window(keys)` says which rows to render with the spacer heights around
 * them. Rows not measured yet count as `estimate` pixels.
 *
 * In the markup: `<div onscroll={v.onscroll} bind:this={v.scroller}>`, spacer rows of `before` and
 * `after` pixels, and `use:v.row={key}` on each rendered row.
 */
export class VirtualRows {
  scroller = $state<HTMLElement | null>(null);
  private scrollTop = $state(0);
  private viewport = $state(0);
  /** Bumped when a measured height changed: what `window` depends on besides the scroll. */
  private measured = $state(0);
  private readonly heights = new Map<string, number>();
  /** The rows in the DOM and their keys (measured again at each scroll: their content may change). */
  private readonly rendered = new Map<HTMLElement, string>();
  private readonly estimate: number;

  /** `estimate`: a row's usual height; `viewport`: the container's (CSS) height, until it is measured. */
  constructor(estimate: number, viewport: number) {
    this.estimate = estimate;
    this.viewport = viewport;
  }

  onscroll = (): void => {
    if (!this.scroller) return;
    // Heights are read here, where the layout is fresh anyway, not after each render (a forced
    // layout per render cost more than the rows): until the first scroll the estimate holds.
    this.flush();
    this.scrollTop = this.scroller.scrollTop;
    this.viewport = this.scroller.clientHeight;
  };

  window(keys: readonly string[]): SizedWindow {
    void this.measured;
    // The viewport is read at scroll time with the heights, never here: reading it while rendering
    // would force a layout per change. Until then the container's CSS height stands in for it.
    return windowOfSized(keys.length, (i) => this.heights.get(keys[i]!) ?? this.estimate, this.scrollTop, this.viewport);
  }

  /** Back to the top (a new search). */
  reset(): void {
    if (this.scroller) this.scroller.scrollTop = 0;
    this.scrollTop = 0;
  }

  /** The action on each rendered row (`use:v.row={key}`): its height is read at the next scroll. */
  row = (node: HTMLElement, key: string): { update(key: string): void; destroy(): void } => {
    this.rendered.set(node, key);
    return {
      update: (next: string) => void this.rendered.set(node, next),
      destroy: () => void this.rendered.delete(node),
    };
  };

  private flush(): void {
    let changed = false;
    for (const [node, key] of this.rendered) {
      const h = node.isConnected ? node.offsetHeight : 0;
      // 0: not laid out (a hidden section, a test DOM without layout): keep the estimate.
      if (h > 0 && this.heights.get(key) !== h) {
        this.heights.set(key, h);
        changed = true;
      }
    }
    if (changed) this.measured++;
  }
}
