import type { Change } from './app.ts';

export interface View {
  el: HTMLElement;
  update(change: Change): void;
  destroy(): void;
}
