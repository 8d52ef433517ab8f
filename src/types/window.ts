/**
 * Window kinds and sizes of a windowed query or a windowed source: written by the analyzer, stored
 * in plans and catalogs, read by the window operators and by the windowed key serde (so it lives
 * below all of them).
 */
export type WindowInfo =
  | { readonly kind: 'TUMBLING'; readonly sizeMs: number }
  | { readonly kind: 'HOPPING'; readonly sizeMs: number; readonly advanceMs: number }
  | { readonly kind: 'SESSION'; readonly gapMs: number }
  | { readonly kind: 'SLIDING'; readonly sizeMs: number };
