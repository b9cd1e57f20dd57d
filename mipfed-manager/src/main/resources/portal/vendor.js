// Where the WebJars put the chart library; the version is the parent pom's echarts.version (filled in at build time).
export const ECHARTS_MODULE = '/webjars/echarts/@echarts.version@/dist/echarts.esm.min.js';
