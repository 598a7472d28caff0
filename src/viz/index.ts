// The graph-rendering API, exported as `cr.viz`: trace, graph, its DOT/Mermaid/SVG emitters, and the formula parser.
export { graph } from "./graph.js";
export type { Graph, GraphOptions } from "./graph.js";
export { trace, scope, Trace } from "./trace.js";
export type { TraceOptions } from "./trace.js";
export type { GraphModel, GraphNode, GraphEdge, ModelOptions } from "./model.js";
export { summarize } from "./model.js";
export { toDot } from "./dot.js";
export { toMermaid } from "./mermaid.js";
export { toSvg, setSvgRenderer } from "./svg.js";
export type { SvgRenderer } from "./svg.js";
export { parseExpression, FUNCTIONS } from "./expression.js";
export type { Expression } from "./expression.js";
