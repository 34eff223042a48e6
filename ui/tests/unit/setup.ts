// Shared set-up for the component tests (jsdom).
import { vi } from 'vitest';

// uPlot needs a real canvas and matchMedia: jsdom has neither. Charts are drawn and
// checked in Chromium (tests/browser); here they are a stub that records what it got.
vi.mock('uplot', () => {
  class UPlotStub {
    static paths = { bars: () => () => null };
    static instances: UPlotStub[] = [];
    width: number;
    constructor(
      public opts: { width: number },
      public data: unknown[],
      target: HTMLElement,
    ) {
      this.width = opts.width;
      const canvas = document.createElement('canvas');
      target.appendChild(canvas);
      UPlotStub.instances.push(this);
    }
    setSize(s: { width: number }) {
      this.width = s.width;
    }
    destroy() {}
  }
  return { default: UPlotStub };
});
