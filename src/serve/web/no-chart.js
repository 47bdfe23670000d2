// Stands in for the chart library when the build found no node_modules/uplot (npm ci).
window.auNoChart = true;
