package report

import _ "embed"

// echartsJS is Apache ECharts 5.6.0, dist/echarts.min.js of the npm package, unmodified
// (assets/PROVENANCE.md gives its sha256; assets/LICENSE, NOTICE and LICENSE-d3 its licenses).
//
//go:embed assets/echarts.min.js
var echartsJS string

// reportJS is the page script that draws the charts from the report's JSON data block.
//
//go:embed assets/report.js
var reportJS string

// echartsSHA256 is the sha256 of assets/echarts.min.js recorded in assets/PROVENANCE.md.
const echartsSHA256 = "bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1"
