// ECharts measures label widths on a canvas, where `font-family: inherit`
// means nothing: give it the page's real font stack so that legends and
// axis labels are laid out with the widths they are drawn with.
export function chartTextStyle(): { fontFamily: string } {
  const family = typeof document !== 'undefined' ? getComputedStyle(document.body).fontFamily : ''
  return { fontFamily: family || 'sans-serif' }
}
