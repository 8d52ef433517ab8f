/**
 * A query's plan as a graph: EXPLAIN's text (one step per line, `[ KIND ] Name | Schema: ... |
 * details`, children indented one tab deeper than their parent) parsed into a tree and drawn
 * as SVG, data flowing from the sources at the top down to the sink. Parsing is pure (tested
 * under Node in test/console/).
 */
export interface PlanNode {
  readonly kind: string;
  readonly name: string;
  readonly schema: string;
  readonly details: readonly string[];
  readonly children: PlanNode[];
}

const STEP = /^(\t*) > \[ ([^\]]+?) \] ([^|]*?)\s*(?:\|\s*(.*))?$/;

/** The plan tree of EXPLAIN's text, or null when it holds no plan (EXPLAIN of a statement gives only steps too). */
export function parsePlan(text: string): PlanNode | null {
  const stack: { depth: number; node: PlanNode }[] = [];
  let root: PlanNode | null = null;
  for (const line of text.split('\n')) {
    const m = STEP.exec(line);
    if (!m) continue;
    const depth = m[1].length;
    const parts = (m[4] ?? '').split(' | ').map((s) => s.trim()).filter(Boolean);
    const schemaPart = parts.find((p) => p.startsWith('Schema:'));
    const node: PlanNode = { kind: m[2].trim(), name: m[3].trim(), schema: schemaPart ? schemaPart.slice('Schema:'.length).trim() : '', details: parts.filter((p) => p !== schemaPart), children: [] };
    while (stack.length && stack[stack.length - 1].depth >= depth) stack.pop();
    if (stack.length) stack[stack.length - 1].node.children.push(node);
    else if (!root) root = node;
    else break; // a second top-level step would be another plan
    stack.push({ depth, node });
  }
  return root;
}

export interface PlacedNode {
  readonly node: PlanNode;
  readonly x: number;
  readonly y: number;
  readonly parent: PlacedNode | null;
}

/** Leaves (sources) spread left to right; each parent centred over its children; the root lowest. */
export function layoutPlan(root: PlanNode): { nodes: PlacedNode[]; columns: number; rows: number } {
  const depthOf = (n: PlanNode): number => 1 + Math.max(0, ...n.children.map(depthOf));
  const rows = depthOf(root);
  const nodes: PlacedNode[] = [];
  let nextLeaf = 0;
  const place = (n: PlanNode, depth: number, parent: PlacedNode | null): PlacedNode => {
    const placed = { node: n, x: 0, y: rows - 1 - depth, parent } as { node: PlanNode; x: number; y: number; parent: PlacedNode | null };
    nodes.push(placed);
    if (!n.children.length) placed.x = nextLeaf++;
    else {
      const kids = n.children.map((c) => place(c, depth + 1, placed));
      placed.x = (kids[0].x + kids[kids.length - 1].x) / 2;
    }
    return placed;
  };
  place(root, 0, null);
  return { nodes, columns: Math.max(1, nextLeaf), rows };
}
