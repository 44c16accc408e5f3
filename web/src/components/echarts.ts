// The ECharts parts the shared <EChart> registers. Pages that need another chart type
// register it themselves before rendering, e.g.
//   import { use } from 'echarts/core'; import { TreeChart } from 'echarts/charts'; use([TreeChart])
import { use, init, type EChartsType } from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DatasetComponent,
  MarkLineComponent,
} from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
export type { EChartsCoreOption } from 'echarts/core'

use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DatasetComponent, MarkLineComponent, SVGRenderer])

/** The platform palette (restrained; green = low carbon, then blues/greys). */
export const PALETTE = ['#1f6f5c', '#2b5d8c', '#6b8e23', '#8a6d3b', '#5b6770', '#a23b3b', '#3f8f8a', '#7a5c99']

export function createChart(el: HTMLElement): EChartsType {
  return init(el, undefined, { renderer: 'svg' })
}
