// Only the line chart of blessed-contrib is loaded (its index pulls in every widget, marked, map data, picture-tube:
// ~330 ms and ~10 MB more at start). The package's own typings describe only the index.
declare module 'blessed-contrib/lib/widget/charts/line.js' {
  import type { Widgets } from 'blessed-contrib';
  const line: (options: Widgets.LineOptions) => Widgets.LineElement;
  export default line;
}
