import { useEffect, useRef } from 'react';
import cytoscape from 'cytoscape';

export interface NetworkNode {
  id: string;
  label: string;
  /** What the node's size shows: the person's total value. */
  weight: number;
  focus: boolean;
}

export interface NetworkEdge {
  from: string;
  to: string;
}

/**
 * A referral network drawn by Cytoscape: each person a node sized by their value, each
 * recommendation an arrow from the referrer, laid out top-down from the earliest referrer. The
 * container lists the labels it drew, for readers and tests.
 */
export function NetworkGraph({ nodes, edges }: { nodes: NetworkNode[]; edges: NetworkEdge[] }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const maxWeight = Math.max(1, ...nodes.map((n) => n.weight));
    const cy = cytoscape({
      container: element,
      elements: [
        ...nodes.map((n) => ({
          data: { id: n.id, label: n.label, size: 36 + 44 * Math.sqrt(n.weight / maxWeight) },
          classes: n.focus ? 'focus' : '',
        })),
        ...edges.map((e) => ({ data: { id: `${e.from}->${e.to}`, source: e.from, target: e.to } })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            width: 'data(size)',
            height: 'data(size)',
            'background-color': '#5b8def',
            color: '#1d2433',
            'font-size': 12,
            'text-wrap': 'wrap',
            'text-valign': 'bottom',
            'text-margin-y': 6,
          },
        },
        { selector: 'node.focus', style: { 'background-color': '#e8833a' } },
        {
          selector: 'edge',
          style: {
            width: 2,
            'line-color': '#9aa5b8',
            'target-arrow-color': '#9aa5b8',
            'target-arrow-shape': 'triangle',
            'curve-style': 'bezier',
          },
        },
      ],
      layout: { name: 'breadthfirst', directed: true, padding: 30, spacingFactor: 1.3 },
      userZoomingEnabled: true,
      wheelSensitivity: 0.2,
    });
    element.dataset['nodes'] = cy
      .nodes()
      .map((n) => String(n.data('label')).replace(/\n/g, ' '))
      .join(' | ');
    return () => cy.destroy();
  }, [nodes, edges]);
  return (
    <div
      ref={container}
      className="network"
      role="img"
      aria-label="Referral network"
      data-testid="network-graph"
    />
  );
}
